// Step 15: an HEVC .mov this Chromium cannot decode is converted, then plays through hls.js.
import { BASE_URL, CONVERT_STEP_TIMEOUT_MS, CONVERT_TIMEOUT_MS, HEVC_VIDEO } from '../config.mjs';
import { AssertionError, assert, newPage, screenshot, step, until } from '../harness.mjs';
import { writeHevcVideo } from '../media.mjs';
import { expectPlaysPast, register, text, tid, uniqueName, upload, waitForPlayer } from '../site.mjs';

export async function conversionStep(browser) {
  let pageH;
  await step(15, 'an HEVC .mov (which this Chromium cannot decode) shows its owner it is converting, then plays through hls.js and seeks', {
    pages: () => [pageH], timeoutMs: CONVERT_STEP_TIMEOUT_MS,
  }, async () => {
    writeHevcVideo(HEVC_VIDEO);
    const owner = uniqueName('e2e-h');
    const name = `Phone clip ${owner}`;
    const contextH = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    pageH = await newPage(contextH, 'hevc owner');
    await pageH.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
    // The original cannot play here: a playing video proves that it was converted.
    const hevc = await pageH.evaluate(() => document.createElement('video').canPlayType('video/mp4; codecs="hvc1"'));
    assert(hevc === '', `this Chromium says it plays HEVC (canPlayType “${hevc}”): the step would prove nothing`);
    await register(pageH, owner);

    // What /complete answers, and every playlist and segment request with or without the session.
    let completed = null;
    const media = [];
    pageH.on('response', (res) => {
      if (res.request().method() === 'POST' && /^\/videos\/[^/]+\/complete$/.test(new URL(res.url()).pathname)) {
        res.json().then((body) => { completed = body.video || body; }).catch(() => {});
      }
    });
    pageH.on('request', async (req) => {
      const url = new URL(req.url());
      if (!/\.(m3u8|ts)$/.test(url.pathname)) return;
      const headers = await req.allHeaders().catch(() => req.headers());
      media.push({ origin: url.origin, path: url.pathname, session: 'authorization' in headers });
    });
    // The video page may show "converting" only briefly: an observer on the page notes it.
    await pageH.evaluate(() => {
      window.__converting = null;
      new MutationObserver(() => {
        const shown = document.querySelector('[data-testid="player-status"][data-status="processing"]');
        if (!shown || window.__converting) return;
        const badge = document.querySelector('[data-testid="video-page"] [data-testid="badge-status"]');
        window.__converting = { text: shown.textContent, role: shown.getAttribute('role'), badge: badge && badge.textContent };
      }).observe(document.body, { childList: true, subtree: true });
    });

    // Private: the playlists then need the session, which hls.js must send to the site only.
    await upload(pageH, { name, privacy: 'private', file: HEVC_VIDEO });
    await until(() => completed, 'the answer of POST /videos/{id}/complete');
    assert(completed.status === 'processing', `POST /complete made the video “${completed.status}”, not processing: the HEVC original was taken as playable`);
    // The page asks for the video right after /complete; the ladder takes ffmpeg seconds longer.
    await until(() => pageH.evaluate(() => Boolean(window.__converting)), 'the video page to show the video converting');
    const converting = await pageH.evaluate(() => window.__converting);
    assert(/Converting for playback/.test(converting.text), `the converting message reads “${converting.text}”`);
    assert(converting.role === 'status', `the converting message has role ${converting.role}, not status`);
    assert(converting.badge === 'converting', `the owner's badge reads “${converting.badge}”, not converting`);
    await screenshot(pageH, '17-converting');

    const ended = await Promise.race([
      pageH.locator(tid('video-player')).waitFor({ state: 'attached', timeout: CONVERT_TIMEOUT_MS }).then(() => 'ready'),
      pageH.locator(`${tid('player-status')}[data-status="failed"]`).waitFor({ state: 'visible', timeout: CONVERT_TIMEOUT_MS }).then(() => 'failed'),
    ]).catch(() => 'timeout');
    if (ended === 'failed') throw new AssertionError(`the conversion failed: ${await text(pageH, tid('player-status'))}`);
    if (ended === 'timeout') throw new AssertionError(`the video was still converting after ${CONVERT_TIMEOUT_MS / 1000} s`);
    assert(/ready to play/.test(await text(pageH, tid('player-announce'))), 'the page did not announce that the video is ready');
    assert((await pageH.locator(`${tid('video-page')} ${tid('badge-status')}`).count()) === 0, 'the converting badge stayed');

    const player = await waitForPlayer(pageH);
    const src = await player.evaluate((v) => v.currentSrc);
    assert(src.startsWith('blob:'), `the player is not fed through Media Source Extensions (hls.js): currentSrc ${src.slice(0, 80)}`);
    const start = await player.evaluate(async (v) => {
      v.muted = true;
      await v.play();
      return v.currentTime;
    });
    await expectPlaysPast(pageH, start + 0.3, 'the converted video playing');
    await screenshot(pageH, '18-converted-playing');
    const target = await player.evaluate(async (v) => {
      const t = Math.min(2, Math.max(0, (Number.isFinite(v.duration) ? v.duration : 4) - 0.8));
      const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
      v.currentTime = t;
      await Promise.race([seeked, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (v.paused) await v.play();
      return t;
    });
    const landed = await player.evaluate((v) => v.currentTime);
    assert(Math.abs(landed - target) < 0.6, `the seek landed at ${landed.toFixed(2)} s instead of ${target.toFixed(2)} s`);
    await expectPlaysPast(pageH, target + 0.25, 'the converted video after the seek');

    const playlists = media.filter((m) => m.path.endsWith('.m3u8'));
    const segments = media.filter((m) => m.path.endsWith('.ts'));
    assert(playlists.length >= 2, `${playlists.length} playlist request(s): the multivariant one and a rung's were expected`);
    assert(segments.length >= 1, 'no segment was fetched');
    const withoutSession = playlists.filter((m) => m.origin === BASE_URL && m.path.startsWith('/videos/') && !m.session);
    assert(withoutSession.length === 0, `the site's playlist route was asked without the session: ${withoutSession[0] && withoutSession[0].path}`);
    const signedTwice = segments.filter((m) => m.session);
    assert(signedTwice.length === 0, `${signedTwice.length} segment request(s) carried the session (S3 refuses a second authentication)`);
    await contextH.close().catch(() => {}); // on success only, so that a failure can describe the page
  });
}
