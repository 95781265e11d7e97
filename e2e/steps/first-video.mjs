// Steps 1 to 6: one user's public video, from the upload through playback, a seek, an anonymous
// viewer's counted view and a comment, to its deletion.
import { BASE_URL, XSS_COMMENT } from '../config.mjs';
import { AssertionError, assert, newPage, screenshot, sleep, step, stepPassed } from '../harness.mjs';
import { card, expectPlaysPast, open, register, signIn, text, tid, uniqueName, upload, waitForPlayer } from '../site.mjs';

/** Runs steps 1 to 6; returns user A's page, which step 7 describes when it fails. */
export async function firstVideoSteps(browser) {
  const contextA = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(contextA, 'user A');
  const alice = uniqueName('e2e-a');
  const videoName = `E2E clip ${alice}`;
  let videoId = null;
  const needsVideo = () => (videoId ? null : 'needs the video uploaded in step 1');

  await step(1, 'register, upload the MP4 (public): progress reaches 100 %, poster appears', { pages: () => [page] }, async () => {
    await page.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
    await page.locator(tid('feed')).waitFor({ state: 'visible' });
    await screenshot(page, '01-home');
    await register(page, alice);
    const { id, progress } = await upload(page, { name: videoName, privacy: 'public', description: 'Uploaded by the e2e scenario.' });
    videoId = id; // later steps can run even when a check below fails
    assert(progress && progress.max === 100, `the progress bar peaked at ${progress && progress.max}, not 100`);
    assert(progress.labels.some((l) => /100/.test(l)), `the progress label never read 100 % (saw ${JSON.stringify(progress.labels.slice(-3))})`);
    await screenshot(page, '02-video-page');

    await open(page, `#/u/${alice}`);
    const poster = card(page, videoId).locator(tid('video-card-poster'));
    await poster.waitFor({ state: 'visible' });
    try {
      await page.waitForFunction((vid) => {
        const img = document.querySelector(`[data-testid="video-card"][data-video-id="${vid}"] [data-testid="video-card-poster"]`);
        return img && img.complete && img.naturalWidth > 0 && !img.classList.contains('placeholder');
      }, videoId, { timeout: 20_000 });
    } catch {
      const state = await poster.evaluate((img) => ({ src: img.currentSrc, complete: img.complete, w: img.naturalWidth, placeholder: img.classList.contains('placeholder') }));
      throw new AssertionError(`the poster did not load: ${JSON.stringify(state)}`);
    }
    assert((await poster.getAttribute('alt')) === `Poster of ${videoName}`, 'the poster has no proper alt text');
    await screenshot(page, '03-user-list');
  });

  await step(2, 'play the video: readyState >= 2 and currentTime advances', { requires: needsVideo, pages: () => [page] }, async () => {
    await open(page, `#/v/${encodeURIComponent(videoId)}`);
    await page.locator(tid('video-title')).filter({ hasText: videoName }).waitFor({ state: 'visible' });
    const player = await waitForPlayer(page);
    const start = await player.evaluate(async (v) => {
      v.muted = true;
      await v.play();
      return v.currentTime;
    });
    await expectPlaysPast(page, start + 0.3, 'playing');
    assert(/\d/.test(await text(page, tid('video-views'))), 'the view count is not shown');
    assert((await text(page, tid('video-date'))).length > 0, 'the upload time is not shown');
    await screenshot(page, '04-playing');
  });

  await step(3, 'seek to ~2 s: playback goes on past the seek point', { requires: () => (stepPassed(2) ? null : 'needs the playing video of step 2'), pages: () => [page] }, async () => {
    const player = page.locator(tid('video-player'));
    const target = await player.evaluate(async (v) => {
      const t = Math.min(2, Math.max(0, (Number.isFinite(v.duration) ? v.duration : 3) - 0.8));
      const seeked = new Promise((resolve) => v.addEventListener('seeked', resolve, { once: true }));
      v.currentTime = t;
      await Promise.race([seeked, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      if (v.paused) await v.play();
      return t;
    });
    const after = await player.evaluate((v) => v.currentTime);
    assert(Math.abs(after - target) < 0.6, `the seek landed at ${after.toFixed(2)} s instead of ${target.toFixed(2)} s`);
    await expectPlaysPast(page, target + 0.25, 'after the seek');
    await screenshot(page, '05-after-seek');
  });

  let pageV;
  await step(4, 'an anonymous viewer plays the video from stream_url to its end: one view reported, the count goes up by one', { requires: needsVideo, pages: () => [pageV] }, async () => {
    const contextV = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      pageV = await newPage(contextV, 'anonymous viewer');
      const viewsOf = async () => {
        const res = await pageV.request.get(`${BASE_URL}/videos/${encodeURIComponent(videoId)}`);
        assert(res.ok(), `GET /videos/{id} answered ${res.status()}`);
        return (await res.json()).views;
      };
      const before = await viewsOf();
      const reports = [];
      const streams = [];
      pageV.on('request', (req) => {
        const { pathname } = new URL(req.url());
        if (req.method() === 'POST' && pathname === `/videos/${videoId}/views`) reports.push(req);
        if (pathname === `/videos/${videoId}/stream`) streams.push(req);
      });
      await pageV.goto(`${BASE_URL}/#/v/${encodeURIComponent(videoId)}`, { waitUntil: 'domcontentloaded' });
      await pageV.locator(tid('video-title')).filter({ hasText: videoName }).waitFor({ state: 'visible' });
      const player = await waitForPlayer(pageV);
      const src = await player.evaluate((v) => v.currentSrc);
      assert(!src.startsWith(BASE_URL) && /X-Amz-Signature/.test(src), `the player does not play the presigned stream_url: ${src.slice(0, 80)}`);
      assert(streams.length === 0, 'the page went through /stream although GET /videos/{id} gave a stream_url');
      await player.evaluate(async (v) => { v.muted = true; v.currentTime = 0; await v.play(); });
      assert(reports.length === 0, 'a view was reported before the video had played');
      const report = pageV.waitForResponse((res) => res.request().method() === 'POST'
        && new URL(res.url()).pathname === `/videos/${videoId}/views`, { timeout: 20_000 });
      await pageV.waitForFunction(() => document.querySelector('[data-testid="video-player"]').ended, null, { timeout: 20_000 });
      const answer = await report;
      assert(answer.status() === 204, `the view report answered ${answer.status()}`);
      // Played again to the end in the same page view: still one report.
      await player.evaluate(async (v) => { v.currentTime = 0; await v.play(); });
      await pageV.waitForFunction(() => document.querySelector('[data-testid="video-player"]').ended, null, { timeout: 20_000 });
      await sleep(500);
      assert(reports.length === 1, `${reports.length} view reports in one page view, not 1`);
      const after = await viewsOf();
      assert(after === before + 1, `the view count went from ${before} to ${after}, not up by one`);
      await pageV.reload({ waitUntil: 'domcontentloaded' });
      const shown = pageV.locator(tid('video-views'));
      await shown.filter({ hasText: after === 1 ? '1 view' : `${after} views` }).waitFor({ state: 'visible' });
      await screenshot(pageV, '05b-view-counted');
    } finally {
      await contextV.close().catch(() => {});
    }
  });

  await step(5, 'comment with markup shows as literal text, survives a reload, runs no script', { requires: needsVideo, pages: () => [page] }, async () => {
    await open(page, `#/v/${encodeURIComponent(videoId)}`);
    await page.locator(tid('comments')).waitFor({ state: 'visible' });
    const comments = page.locator(`${tid('comment-list')} > ${tid('comment')}`);
    await page.locator(`${tid('comments-empty')}, ${tid('comment')}`).first().waitFor({ state: 'visible' });
    const before = await comments.count();
    await page.locator(tid('comment-input')).fill(XSS_COMMENT);
    await page.locator(tid('comment-submit')).click();
    try {
      await page.waitForFunction((n) => document.querySelectorAll('[data-testid="comment-list"] > [data-testid="comment"]').length > n, before);
    } catch {
      const error = await page.locator(tid('comment-error')).textContent().catch(() => '');
      throw new AssertionError(`the comment did not appear${error ? `: ${error.trim()}` : ''}`);
    }
    const first = comments.first();
    const shown = await first.locator(tid('comment-content')).textContent();
    assert(shown === XSS_COMMENT, `the new comment reads ${JSON.stringify(shown)}, not the literal text typed`);
    assert(await first.locator(tid('comment-content')).isVisible(), 'the new comment is not visible');
    assert((await first.locator(tid('comment-author')).textContent()).trim() === alice, 'the comment does not show its author');
    assert(await first.locator(tid('comment-delete')).isVisible(), 'the author sees no Delete button on their comment');
    await screenshot(page, '06-comment');

    await page.reload({ waitUntil: 'domcontentloaded' });
    const again = comments.first();
    await again.waitFor({ state: 'visible' });
    const reloaded = await again.locator(tid('comment-content')).textContent();
    assert(reloaded === XSS_COMMENT, `after the reload the comment reads ${JSON.stringify(reloaded)}`);
    const injected = await page.evaluate(() => ({
      xss: typeof window.__xss,
      scripts: document.querySelectorAll('[data-testid="comment-list"] script').length,
    }));
    assert(injected.xss === 'undefined', 'window.__xss is defined: the comment ran as script');
    assert(injected.scripts === 0, 'a <script> element was created from the comment');
  });

  await step(6, 'log out, log back in, delete the video: gone from the user\'s list', { requires: needsVideo, pages: () => [page] }, async () => {
    await page.locator(tid('nav-logout')).click();
    await page.locator(tid('nav-signin')).waitFor({ state: 'visible' });
    assert(await page.locator(tid('nav-username')).isHidden(), 'the user name is still shown after logging out');
    assert(await page.evaluate(() => sessionStorage.length === 0), 'the session is still stored after logging out');
    await screenshot(page, '07-logged-out');

    await signIn(page, alice);
    await open(page, `#/u/${alice}`);
    const item = card(page, videoId);
    await item.waitFor({ state: 'visible' });
    await item.locator(tid('video-card-delete')).click();
    const dialog = page.locator(tid('confirm-dialog'));
    await dialog.waitFor({ state: 'visible' });
    assert((await dialog.textContent()).includes(videoName), 'the confirmation does not name the video');
    await screenshot(page, '08-confirm-delete');
    await page.locator(tid('confirm-ok')).click();
    await item.waitFor({ state: 'detached' });

    // A fresh load of the list, not only the removed card.
    await page.reload({ waitUntil: 'domcontentloaded' });
    await page.locator(tid('user-page')).waitFor({ state: 'visible' });
    await page.locator(`${tid('list-empty')}, ${tid('video-card')}`).first().waitFor({ state: 'visible' });
    assert((await card(page, videoId).count()) === 0, 'the deleted video is still in the user\'s list');
    await open(page, `#/v/${encodeURIComponent(videoId)}`);
    await page.locator(tid('not-found')).waitFor({ state: 'visible' });
    await screenshot(page, '09-after-delete');
  });

  return page;
}
