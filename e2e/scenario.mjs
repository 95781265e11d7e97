// End-to-end scenario of the vidlet site in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, which downloads no browser).
//
//   BASE_URL=http://127.0.0.1:9000 node e2e/scenario.mjs
//
// Prints one line per step, then "N passed, N failed" as the last line; exits non-zero when
// any step failed. Screenshots go to target/e2e/ at the repository root.
import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BASE_URL = (process.env.BASE_URL || 'http://127.0.0.1:9000').replace(/\/+$/, '');
const FIXTURE = path.join(ROOT, 'tests', 'fixtures', 'clip.mp4');
const OUT = path.join(ROOT, 'target', 'e2e');
// Made at run time (never committed): clip.mp4 padded with a trailing `free` box to 11.5 MiB,
// three parts at the 5 MiB part size of `make test` (MIN_PART_BYTES), still a valid MP4.
const BIG_VIDEO = path.join(OUT, 'multipart.mp4');
const BIG_VIDEO_BYTES = 11.5 * 1024 * 1024;
// Made at run time with ffmpeg (never committed): 4 s of HEVC tagged hvc1 with AAC in a QuickTime
// .mov at 640x360, as a phone records it. This Chromium cannot decode HEVC: the server converts it.
const HEVC_VIDEO = path.join(OUT, 'hevc.mov');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const PASSWORD = 'correct horse battery';
const XSS_COMMENT = '<script>window.__xss=1</script> hello';

const ACTION_TIMEOUT_MS = 15_000; // one click, fill or wait
const UPLOAD_TIMEOUT_MS = 60_000; // create + PUT + complete + poster
const STEP_TIMEOUT_MS = 120_000; // a whole step
const CONVERT_TIMEOUT_MS = 90_000; // the local ffmpeg transcoder's ladder of a 4-second clip
const CONVERT_STEP_TIMEOUT_MS = 180_000; // the step that waits for it
const TOTAL_TIMEOUT_MS = 12 * 60_000; // the whole run

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const tid = (id) => `[data-testid="${id}"]`;
const uniqueName = (prefix) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

class AssertionError extends Error {}
function assert(condition, message) {
  if (!condition) throw new AssertionError(message);
}

// ------------------------------------------------------------------------------------------
// Run bookkeeping: every step is bounded; dependent steps are skipped when a prerequisite failed.

const results = [];
const problems = []; // script errors and CSP violations seen on any page
let browser;

const watchdog = setTimeout(() => {
  console.log(`FAIL  the run exceeded ${TOTAL_TIMEOUT_MS / 1000} s and was stopped`);
  console.log(`${results.filter((r) => r.ok === true).length} passed, ${results.filter((r) => r.ok === false).length + 1} failed`);
  process.exit(1);
}, TOTAL_TIMEOUT_MS);
watchdog.unref();

async function screenshot(page, name) {
  if (!page || page.isClosed()) return;
  try {
    await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true, timeout: ACTION_TIMEOUT_MS });
  } catch {
    // a screenshot never decides a step
  }
}

/**
 * Runs one bounded step. `requires` returns why the step cannot run (a prerequisite
 * failed), or nothing; such a step is reported as skipped, and the run still fails.
 */
async function step(number, title, { requires = () => null, pages = () => [], timeoutMs = STEP_TIMEOUT_MS } = {}, body) {
  const label = `${number}. ${title}`;
  const missing = requires();
  if (missing) {
    results.push({ number, ok: null });
    console.log(`SKIP  ${label} (${missing})`);
    return;
  }
  const started = Date.now();
  let timer;
  try {
    await Promise.race([
      body(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`step timed out after ${timeoutMs / 1000} s`)), timeoutMs);
      }),
    ]);
    results.push({ number, ok: true });
    console.log(`PASS  ${label} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (err) {
    results.push({ number, ok: false });
    const message = (err && err.message ? err.message : String(err)).split('\n')[0];
    console.log(`FAIL  ${label}: ${message}`);
    let i = 0;
    for (const page of pages()) {
      await screenshot(page, `failure-step${number}-${i++}`);
      await describeFailure(err, page);
    }
  } finally {
    clearTimeout(timer);
  }
}

// ------------------------------------------------------------------------------------------
// Page helpers.

/** What CI shows of a failure: the call that waited, where the page was, what it failed to load. */
async function describeFailure(err, page) {
  const waited = String(err && err.message ? err.message : '').split('\n').find((l) => /waiting for|locator\(/.test(l));
  if (waited) console.log(`      ${waited.trim()}`);
  if (!page || page.isClosed()) return;
  const shown = await page.evaluate(() => (document.querySelector('#view') || document.body).innerText)
    .catch((e) => `(unreadable: ${e.message.split('\n')[0]})`);
  console.log(`      page ${page.url()} shows: ${JSON.stringify(String(shown).replace(/\s+/g, ' ').slice(0, 300))}`);
  for (const line of (troubles.get(page) || []).slice(-8)) console.log(`      ${line}`);
}

/** Per page: requests that failed or answered 5xx, for describeFailure. */
const troubles = new WeakMap();

/** cargo lambda watch now and then answers a large reply with a 500 of its own (an RFC 7807
 * problem, not vidlet's error model): its runtime API acknowledges a function's response before
 * it has read all of it, and under load the function hangs up first. The site's assets are the
 * large replies; fetch one again, up to 3 times, when the emulator fails it. The site's own
 * errors are never retried. */
async function retryEmulatorFailures(page) {
  await page.route(`${BASE_URL}/assets/**`, async (route) => {
    let response;
    for (let attempt = 1; attempt <= 3; attempt += 1) {
      try {
        response = await route.fetch({ maxRedirects: 0 });
      } catch {
        continue; // the page went away, or the connection broke: as a 500
      }
      if (response.status() !== 500 || (await response.text()).includes('error_code')) break;
      console.log(`  (cargo lambda watch failed ${route.request().url()} with its own 500: attempt ${attempt})`);
    }
    await (response ? route.fulfill({ response }) : route.abort()).catch(() => {});
  });
}

async function newPage(context, label) {
  const page = await context.newPage();
  await retryEmulatorFailures(page);
  page.setDefaultTimeout(ACTION_TIMEOUT_MS);
  page.setDefaultNavigationTimeout(ACTION_TIMEOUT_MS);
  page.on('pageerror', (err) => problems.push(`[${label}] uncaught: ${err.message}`));
  const seen = [];
  troubles.set(page, seen);
  page.on('requestfailed', (req) => seen.push(`failed: ${req.method()} ${req.url().split('?')[0]} (${req.failure()?.errorText})`));
  page.on('response', (res) => {
    if (res.status() >= 500) seen.push(`${res.status()}: ${res.request().method()} ${res.url().split('?')[0]}`);
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error' && /Content Security Policy|Refused to/i.test(msg.text())) {
      problems.push(`[${label}] ${msg.text()}`);
    }
  });
  return page;
}

/** Opens a page of the site by its path (`/v/<id>`; an old `#/v/<id>` is taken as its path): in
 * place through the page's router when the site is already loaded, else with a full load. */
async function open(page, target) {
  const pathname = target.replace(/^#/, '');
  if (page.url().startsWith(`${BASE_URL}/`)) {
    await page.evaluate((p) => {
      history.pushState(null, '', p);
      dispatchEvent(new PopStateEvent('popstate'));
    }, pathname);
  } else {
    await page.goto(`${BASE_URL}${pathname}`, { waitUntil: 'domcontentloaded' });
  }
}

async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) || '').trim();
}

async function register(page, username) {
  await open(page, '#/register');
  await page.locator(tid('register-username')).fill(username);
  await page.locator(tid('register-password')).fill(PASSWORD);
  await page.locator(tid('register-submit')).click();
  await expectSignedIn(page, username, tid('register-error'));
}

async function signIn(page, username) {
  await open(page, '#/signin');
  await page.locator(tid('signin-username')).fill(username);
  await page.locator(tid('signin-password')).fill(PASSWORD);
  await page.locator(tid('signin-submit')).click();
  await expectSignedIn(page, username, tid('signin-error'));
}

async function expectSignedIn(page, username, errorSelector) {
  try {
    await page.locator(tid('nav-username')).filter({ hasText: username }).waitFor({ state: 'visible' });
  } catch {
    const error = await page.locator(errorSelector).textContent().catch(() => '');
    throw new AssertionError(`not signed in as ${username}${error ? `: the page says “${error.trim()}”` : ''}`);
  }
}

/**
 * Uploads `file` (the fixture unless told) through the upload form and waits for the video page.
 * Records every value the <progress> bar and its label take, and returns them with the new video's id.
 */
async function upload(page, { name, privacy, description, file = FIXTURE }) {
  await page.locator(tid('nav-upload')).click();
  await page.locator(tid('upload-form')).waitFor({ state: 'visible' });
  await page.locator(tid('upload-file')).setInputFiles(file);
  await page.locator(tid('upload-name')).fill(name);
  if (description) await page.locator(tid('upload-description')).fill(description);
  await page.locator(tid('upload-privacy')).selectOption(privacy);
  await page.evaluate(() => {
    // Watch the bar: the page moves on to the video page as soon as the upload is done.
    window.__progress = { max: 0, labels: [] };
    const bar = document.querySelector('[data-testid="upload-progress"]');
    const label = document.querySelector('[data-testid="upload-progress-label"]');
    const record = () => {
      window.__progress.max = Math.max(window.__progress.max, Number(bar.value));
      window.__progress.labels.push(label.textContent);
    };
    new MutationObserver(record).observe(bar, { attributes: true, attributeFilter: ['value'] });
    new MutationObserver(record).observe(label, { childList: true, characterData: true, subtree: true });
  });
  await page.locator(tid('upload-submit')).click();
  await page.locator(tid('upload-panel')).waitFor({ state: 'visible' }).catch(() => {});
  const progress = await page.evaluate(() => window.__progress).catch(() => null);

  const outcome = await Promise.race([
    page.waitForURL((url) => /^\/v\/[^/]+$/.test(url.pathname), { timeout: UPLOAD_TIMEOUT_MS }).then(() => 'done'),
    page.locator(tid('upload-error')).waitFor({ state: 'visible', timeout: UPLOAD_TIMEOUT_MS }).then(() => 'error'),
  ]).catch(() => 'timeout');
  if (outcome === 'error') throw new AssertionError(`upload failed: ${await text(page, tid('upload-error'))}`);
  if (outcome === 'timeout') throw new AssertionError(`upload did not finish within ${UPLOAD_TIMEOUT_MS / 1000} s`);

  // The observer lived on the upload view's elements; the window survives in-page navigation.
  const seen = (await page.evaluate(() => window.__progress)) || progress;
  const id = decodeURIComponent(new URL(page.url()).pathname.split('/v/')[1]);
  await page.locator(tid('video-title')).filter({ hasText: name }).waitFor({ state: 'visible' });
  return { id, progress: seen };
}

async function waitForPlayer(page) {
  const player = page.locator(tid('video-player'));
  await player.waitFor({ state: 'visible' });
  try {
    await page.waitForFunction(() => {
      const v = document.querySelector('[data-testid="video-player"]');
      return v && (v.readyState >= 2 || v.error);
    }, null, { timeout: 30_000 });
  } catch {
    const state = await player.evaluate((v) => ({ readyState: v.readyState, networkState: v.networkState, src: v.currentSrc }));
    throw new AssertionError(`the video never had data to play: ${JSON.stringify(state)}`);
  }
  const error = await player.evaluate((v) => (v.error ? `${v.error.code} ${v.error.message}` : null));
  assert(!error, `the video element reports an error: ${error}`);
  return player;
}

/** Waits until the player's currentTime exceeds `after`, calling play() again if it paused. */
async function expectPlaysPast(page, after, what) {
  try {
    await page.waitForFunction((t) => {
      const v = document.querySelector('[data-testid="video-player"]');
      if (!v || v.error) return false;
      if (v.paused && !v.ended) v.play().catch(() => {});
      return v.currentTime > t;
    }, after, { timeout: 15_000, polling: 100 });
  } catch {
    const state = await page.locator(tid('video-player')).evaluate((v) => ({
      currentTime: v.currentTime, paused: v.paused, ended: v.ended, readyState: v.readyState,
      error: v.error && v.error.message,
    }));
    throw new AssertionError(`${what}: currentTime did not pass ${after.toFixed(2)} s: ${JSON.stringify(state)}`);
  }
}

function card(page, videoId) {
  return page.locator(`${tid('video-card')}[data-video-id="${videoId}"]`);
}

/** Polls `check` until it is true, for at most `ms`. */
async function until(check, what, ms = ACTION_TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new AssertionError(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}

/** The part number of a PUT of an S3 multipart part (UploadPart's ?partNumber=&uploadId=), or 0. */
function partOf(request) {
  if (request.method() !== 'PUT') return 0;
  const url = new URL(request.url());
  return url.searchParams.has('uploadId') ? Number(url.searchParams.get('partNumber')) || 0 : 0;
}

/** An MP4 stays valid with an extra top-level `free` box after its moov and mdat. */
function writePaddedVideo(target, bytes) {
  const clip = readFileSync(FIXTURE);
  const padding = Buffer.alloc(bytes - clip.length);
  padding.writeUInt32BE(padding.length, 0);
  padding.write('free', 4, 'latin1');
  writeFileSync(target, Buffer.concat([clip, padding]));
}

/** The HEVC clip, made with ffmpeg: testsrc2 and a 440 Hz tone, libx265 tagged hvc1, AAC. */
function writeHevcVideo(target) {
  try {
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30',
      '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
      '-t', '4', '-c:v', 'libx265', '-preset', 'ultrafast', '-x265-params', 'log-level=error',
      '-tag:v', 'hvc1', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-b:a', '96k', '-shortest',
      '-movflags', '+faststart', target], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 60_000 });
  } catch (err) {
    const why = err.code === 'ENOENT' ? 'ffmpeg is not installed (infra/tools/install-ffmpeg.sh)' : String(err.stderr || err.message).trim();
    throw new AssertionError(`could not make the HEVC clip: ${why.split('\n')[0]}`);
  }
}

/** Records every value the upload page's <progress> takes from now on (in window.__resumed). */
async function watchProgress(page) {
  await page.evaluate(() => {
    window.__resumed = [];
    const bar = document.querySelector('[data-testid="upload-progress"]');
    new MutationObserver(() => window.__resumed.push(Number(bar.value)))
      .observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
}

// ------------------------------------------------------------------------------------------
// The scenario.

async function main() {
  mkdirSync(OUT, { recursive: true });
  for (const old of readdirSync(OUT)) if (old.endsWith('.png')) rmSync(path.join(OUT, old), { force: true });
  if (!existsSync(FIXTURE)) throw new Error(`missing fixture ${FIXTURE}`);
  if (!existsSync(CHROMIUM)) throw new Error(`missing ${CHROMIUM}: apt-get install -y chromium`);

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    timeout: 30_000,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });

  const contextA = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await newPage(contextA, 'user A');
  const alice = uniqueName('e2e-a');
  const videoName = `E2E clip ${alice}`;
  let videoId = null;
  let pageS = null; // step 12's page
  const needsVideo = () => (videoId ? null : 'needs the video uploaded in step 1');
  const stepPassed = (n) => results.some((r) => r.number === n && r.ok === true);

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

  let pageB;
  await step(7, 'a private video is not found for another user', { pages: () => [page, pageB] }, async () => {
    const owner = uniqueName('e2e-p');
    const other = uniqueName('e2e-b');
    const contextP = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const contextB = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true });
    try {
      const pageP = await newPage(contextP, 'private owner');
      await pageP.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
      await register(pageP, owner);
      const privateName = `Private clip ${owner}`;
      const { id } = await upload(pageP, { name: privateName, privacy: 'private' });
      assert(/private/i.test(await text(pageP, tid('badge-privacy'))), 'the owner\'s page does not mark the video private');

      pageB = await newPage(contextB, 'user B');
      await pageB.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
      await register(pageB, other);
      await open(pageB, `#/v/${encodeURIComponent(id)}`);
      const notFound = pageB.locator(tid('not-found'));
      await notFound.waitFor({ state: 'visible' });
      assert(/not found/i.test(await notFound.textContent()), 'the page does not say "not found"');
      assert((await pageB.locator(tid('video-player')).count()) === 0, 'a player is shown for a private video');
      assert(!(await pageB.locator('body').textContent()).includes(privateName), 'the private video\'s name leaked');
      await screenshot(pageB, '10-private-not-found-375px');

      await open(pageB, `#/u/${owner}`);
      await pageB.locator(tid('user-page')).waitFor({ state: 'visible' });
      await pageB.locator(`${tid('list-empty')}, ${tid('video-card')}`).first().waitFor({ state: 'visible' });
      assert((await card(pageB, id).count()) === 0, 'the private video is listed for another user');
    } finally {
      await contextP.close().catch(() => {});
    }
  });

  let pageR;
  await step(8, 'a 3-part upload, reloaded in the middle, resumes with only the missing parts and plays', { pages: () => [pageR] }, async () => {
    writePaddedVideo(BIG_VIDEO, BIG_VIDEO_BYTES);
    const owner = uniqueName('e2e-r');
    const name = `Resumed ${owner}`;
    const contextR = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    try {
      pageR = await newPage(contextR, 'resume');
      // Every part PUT the page sends and every one S3 stores, before and after the reload.
      let phase = 'before';
      const sent = [];
      const stored = [];
      let plan = null;
      pageR.on('request', (req) => {
        const part = partOf(req);
        if (part) sent.push({ part, phase });
      });
      pageR.on('response', (res) => {
        const req = res.request();
        const part = partOf(req);
        if (part && res.ok()) stored.push({ part, phase });
        if (req.method() === 'POST' && new URL(res.url()).pathname === '/videos' && res.status() === 201) {
          res.json().then((body) => { plan = { id: body.video.id, ...body.upload }; }).catch(() => {});
        }
      });
      // Part 1 goes through; the others are held in flight until the reload: "in the middle", every run.
      const held = [];
      await pageR.route((url) => url.searchParams.has('uploadId') && url.searchParams.has('partNumber'), (route) => {
        if (phase === 'before' && partOf(route.request()) > 1) held.push(route);
        else route.continue().catch(() => {});
      });

      await pageR.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
      await register(pageR, owner);
      await pageR.locator(tid('nav-upload')).click();
      await pageR.locator(tid('upload-form')).waitFor({ state: 'visible' });
      await pageR.locator(tid('upload-usage')).waitFor({ state: 'visible' });
      const usage = await text(pageR, tid('upload-usage-text'));
      assert(/^\S+\s\S+ of \S+\s\S+ used$/.test(usage), `the storage line reads ${JSON.stringify(usage)}`);
      await pageR.locator(tid('upload-file')).setInputFiles(BIG_VIDEO);
      await pageR.locator(tid('upload-name')).fill(name);
      await pageR.locator(tid('upload-privacy')).selectOption('unlisted');
      await pageR.locator(tid('upload-submit')).click();
      await until(() => plan && stored.some((s) => s.part === 1) && held.length >= Math.min(plan.part_count - 1, 3),
        'part 1 stored and the other parts in flight', UPLOAD_TIMEOUT_MS).catch(async (err) => {
        const error = await pageR.locator(tid('upload-error')).textContent().catch(() => '');
        throw new AssertionError(`${err.message} (plan ${JSON.stringify(plan)}, stored ${JSON.stringify(stored)}, `
          + `held ${held.length}${error ? `, the page says “${error.trim()}”` : ''})`);
      });
      assert(plan.part_count >= 2, `the server planned ${plan.part_count} part(s) for ${BIG_VIDEO_BYTES} bytes: set MIN_PART_BYTES`);
      const midway = Number(await pageR.locator(tid('upload-progress')).getAttribute('value'));
      assert(midway > 0 && midway < 100, `midway the progress bar reads ${midway}`);
      assert(/ of /.test(await text(pageR, tid('upload-rate'))), 'no "sent of total" line under the bar');

      // Pause: the parts in flight are aborted, focus moves to Resume.
      await pageR.locator(tid('upload-pause')).click();
      await pageR.locator(tid('upload-resume')).waitFor({ state: 'visible' });
      assert(/paused/i.test(await text(pageR, tid('upload-status'))), 'the status does not say paused');
      assert(await pageR.locator(tid('upload-resume')).evaluate((el) => el === document.activeElement), 'focus did not move to Resume');
      await screenshot(pageR, '11-upload-paused');

      // Reload: the File is gone; the record in localStorage is what remains.
      phase = 'after';
      await pageR.reload({ waitUntil: 'domcontentloaded' });
      for (const route of held) await route.abort().catch(() => {});
      await pageR.unrouteAll({ behavior: 'ignoreErrors' });

      await open(pageR, '#/');
      const notice = pageR.locator(`${tid('resume-notice')}[data-video-id="${plan.id}"]`);
      await notice.waitFor({ state: 'visible' });
      const link = notice.locator(tid('resume-notice-link'));
      assert((await link.textContent()).includes(`Resume upload of “${name}”`), `the notice reads ${JSON.stringify(await notice.textContent())}`);
      await screenshot(pageR, '12-resume-notice');
      await link.click();
      const prompt = pageR.locator(`${tid('resume-prompt')}[data-video-id="${plan.id}"]`);
      await prompt.waitFor({ state: 'visible' });
      await prompt.locator(tid('resume-held')).filter({ hasText: `1 of ${plan.part_count} parts` }).waitFor({ state: 'visible' });
      await screenshot(pageR, '13-resume-prompt');

      // Another file is refused; the same file resumes.
      await prompt.locator(tid('resume-file')).setInputFiles(FIXTURE);
      await prompt.locator(tid('resume-submit')).click();
      await prompt.locator(tid('resume-error')).filter({ hasText: 'not the file' }).waitFor({ state: 'visible' });
      await prompt.locator(tid('resume-file')).setInputFiles(BIG_VIDEO);
      await watchProgress(pageR);
      await prompt.locator(tid('resume-submit')).click();
      const outcome = await Promise.race([
        pageR.waitForURL((url) => url.pathname === `/v/${encodeURIComponent(plan.id)}`, { timeout: UPLOAD_TIMEOUT_MS }).then(() => 'done'),
        pageR.locator(tid('upload-error')).waitFor({ state: 'visible', timeout: UPLOAD_TIMEOUT_MS }).then(() => 'error'),
      ]).catch(() => 'timeout');
      if (outcome === 'error') throw new AssertionError(`the resumed upload failed: ${await text(pageR, tid('upload-error'))}`);
      if (outcome === 'timeout') throw new AssertionError(`the resumed upload did not finish within ${UPLOAD_TIMEOUT_MS / 1000} s`);

      const missing = Array.from({ length: plan.part_count - 1 }, (_, i) => i + 2);
      const again = [...new Set(sent.filter((s) => s.phase === 'after').map((s) => s.part))].sort((a, b) => a - b);
      const storedAgain = [...new Set(stored.filter((s) => s.phase === 'after').map((s) => s.part))].sort((a, b) => a - b);
      assert(JSON.stringify(again) === JSON.stringify(missing), `after the reload the page PUT parts ${again}, not only the missing ${missing}`);
      assert(JSON.stringify(storedAgain) === JSON.stringify(missing), `after the reload S3 stored parts ${storedAgain}, not ${missing}`);
      const bar = await pageR.evaluate(() => window.__resumed);
      const held1 = Math.floor((plan.part_size / BIG_VIDEO_BYTES) * 100);
      assert(bar.length > 0 && bar[0] >= held1 && Math.max(...bar) === 100,
        `the resumed bar should start at ≥ ${held1} (the part S3 held) and reach 100; it read ${JSON.stringify(bar)}`);
      const left = await pageR.evaluate(() => localStorage.getItem('vidlet.pendingUploads') || '');
      assert(!left.includes(plan.id), 'the pending-upload record was not discarded after the upload completed');

      await pageR.locator(tid('video-title')).filter({ hasText: name }).waitFor({ state: 'visible' });
      const player = await waitForPlayer(pageR);
      const start = await player.evaluate(async (v) => {
        v.muted = true;
        await v.play();
        return v.currentTime;
      });
      await expectPlaysPast(pageR, start + 0.3, 'the resumed video playing');
      await screenshot(pageR, '14-resumed-playing');
    } catch (err) {
      await screenshot(pageR, 'failure-step8-resume'); // before its context closes
      await describeFailure(err, pageR);
      throw err;
    } finally {
      await contextR.close().catch(() => {});
    }
  });

  // Steps 9 to 11 share one signed-in page with a video of its own (step 1's is deleted in step 6).
  const contextE = await browser.newContext({ viewport: { width: 390, height: 844 } }); // phone width
  const pageE = await newPage(contextE, 'editor');
  const erin = uniqueName('e2e-e');
  let erinVideo = null;
  const needsErinVideo = () => (erinVideo ? null : 'needs the video uploaded in step 9');

  await step(9, 'at phone width, the owner fixes a title with the Edit dialog: the page and a reload show the new title', { pages: () => [pageE] }, async () => {
    await pageE.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
    await register(pageE, erin);
    const { id } = await upload(pageE, { name: `Tpyo ${erin}`, privacy: 'public' });
    erinVideo = id;
    const fixed = `Fixed title ${erin}`;
    await pageE.locator(tid('video-edit')).click();
    const dialog = pageE.locator(tid('edit-dialog'));
    await dialog.waitFor({ state: 'visible' });
    await dialog.locator(tid('edit-name')).fill(fixed);
    await dialog.locator(tid('edit-name')).press('Enter'); // the keyboard submits the form
    await dialog.waitFor({ state: 'hidden' });
    await pageE.locator(tid('video-title')).filter({ hasText: fixed }).waitFor({ state: 'visible' });
    await pageE.reload({ waitUntil: 'domcontentloaded' });
    await pageE.locator(tid('video-title')).filter({ hasText: fixed }).waitFor({ state: 'visible' });
    const res = await pageE.request.get(`${BASE_URL}/videos/${encodeURIComponent(id)}`);
    assert(res.ok() && (await res.json()).name === fixed, 'GET /videos/{id} does not give the edited title');
    await screenshot(pageE, '15-edited');
  });

  await step(10, 'like the video: the button is pressed and the count is 1, and both are kept over a reload', { requires: needsErinVideo, pages: () => [pageE] }, async () => {
    const like = pageE.locator(tid('video-like'));
    const likes = pageE.locator(tid('video-likes'));
    assert(await like.getAttribute('aria-pressed') === 'false', 'the like button starts pressed');
    await like.focus();
    await pageE.keyboard.press('Enter');
    await likes.filter({ hasText: /^1 like$/ }).waitFor({ state: 'visible' });
    assert(await like.getAttribute('aria-pressed') === 'true', 'the like button is not pressed after liking');
    await pageE.reload({ waitUntil: 'domcontentloaded' });
    await likes.filter({ hasText: /^1 like$/ }).waitFor({ state: 'visible' });
    assert(await like.getAttribute('aria-pressed') === 'true', 'the like was not kept over a reload');
    const anonymous = await (await fetch(`${BASE_URL}/videos/${encodeURIComponent(erinVideo)}`)).json();
    assert(anonymous.likes === 1, `others see ${anonymous.likes} likes, not 1`);
    await screenshot(pageE, '16-liked');
  });

  await step(11, 'a session in use outlives its short lifetime; "keep me signed in" survives a new tab; logout forgets both', { requires: needsErinVideo, pages: () => [pageE] }, async () => {
    const lifetime = Number(process.env.SESSION_TTL_SECONDS || 60);
    assert(lifetime <= 90, `SESSION_TTL_SECONDS=${lifetime}: too long for this step (smoke.sh sets 60)`);
    await pageE.locator(tid('nav-logout')).click();
    await pageE.locator(tid('nav-signin')).waitFor({ state: 'visible' }); // logged out, then sent to the feed
    await signIn(pageE, erin);
    const signedInAt = Date.now();
    // Use the site every few seconds until well past the lifetime of the session signed in with.
    while (Date.now() - signedInAt < (lifetime + 10) * 1000) {
      await open(pageE, `#/v/${encodeURIComponent(erinVideo)}`);
      await pageE.locator(tid('video-title')).waitFor({ state: 'visible' });
      await sleep(5_000);
      await open(pageE, '#/');
      await pageE.locator(tid('feed')).waitFor({ state: 'visible' });
      await sleep(5_000);
    }
    const me = await pageE.evaluate(async () => {
      const s = JSON.parse(sessionStorage.getItem('vidlet.session'));
      return (await fetch('/me', { headers: { Authorization: `Bearer ${s.id}` } })).status;
    });
    assert(me === 200, `${Math.round((Date.now() - signedInAt) / 1000)} s after signing in, GET /me answers ${me}: the session was not extended`);
    assert(await pageE.locator(tid('nav-username')).filter({ hasText: erin }).isVisible(), 'the page signed the user out');

    // Keep me signed in: stored in localStorage, so a new tab of the same browser is signed in.
    await pageE.locator(tid('nav-logout')).click();
    await pageE.locator(tid('nav-signin')).waitFor({ state: 'visible' });
    await open(pageE, '#/signin');
    await pageE.locator(tid('signin-username')).fill(erin);
    await pageE.locator(tid('signin-password')).fill(PASSWORD);
    await pageE.locator(tid('signin-remember')).check();
    await pageE.locator(tid('signin-submit')).click();
    await expectSignedIn(pageE, erin, tid('signin-error'));
    const tab = await newPage(contextE, 'editor, second tab');
    try {
      await tab.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
      await expectSignedIn(tab, erin, tid('signin-error'));
    } finally {
      await tab.close().catch(() => {});
    }
    await pageE.locator(tid('nav-logout')).click();
    await pageE.locator(tid('nav-signin')).waitFor({ state: 'visible' });
    const stored = await pageE.evaluate(() => [sessionStorage.getItem('vidlet.session'), localStorage.getItem('vidlet.session')]);
    assert(stored.every((v) => v === null), 'a session is still stored after logging out');
    await contextE.close().catch(() => {});
  });

  await step(12, 'a share link: /v/{id} is served with the video\'s OpenGraph card, renders the video, and an old #/v/{id} link lands on it', { pages: () => [pageS] }, async () => {
    // Step 6 deletes step 1's video, so this step shares a public video of its own, uploaded
    // the same way (poster included); its name carries markup and quotes, to be escaped.
    const sharer = uniqueName('e2e-s');
    const name = `Share “${sharer}” <b>&</b> 'q'`;
    const contextS = await browser.newContext({ viewport: { width: 390, height: 844 } });
    pageS = await newPage(contextS, 'sharer');
    try {
      await pageS.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
      await register(pageS, sharer);
      const { id } = await upload(pageS, { name, privacy: 'public', description: 'Shared by the e2e scenario.' });
      const shareUrl = `${BASE_URL}/v/${encodeURIComponent(id)}`;

      // The Share button (from the keyboard) gives the /v/{id} address.
      await pageS.locator(tid('share-button')).focus();
      await pageS.keyboard.press('Enter');
      const field = pageS.locator(tid('share-url'));
      await field.waitFor({ state: 'visible' });
      assert((await field.inputValue()) === shareUrl, `the Share field holds ${await field.inputValue()}, not ${shareUrl}`);
      await screenshot(pageS, '15-share-button');

      // The served HTML, as a crawler gets it (no script runs), parsed by the browser's parser.
      const card = async () => {
        const res = await pageS.request.get(shareUrl);
        assert(res.status() === 200, `GET /v/{id} answered ${res.status()}`);
        const html = await res.text();
        return pageS.evaluate((source) => {
          const doc = new DOMParser().parseFromString(source, 'text/html');
          const tags = {};
          for (const m of doc.querySelectorAll('head meta[property], head meta[name]')) {
            tags[m.getAttribute('property') || m.getAttribute('name')] = m.getAttribute('content');
          }
          return { tags, title: doc.title, scripts: [...doc.querySelectorAll('script')].map((s) => s.getAttribute('src')) };
        }, html);
      };
      let served = await card();
      // The poster is confirmed just after the video: wait for the card to show it.
      await until(async () => {
        served = await card();
        return Boolean(served.tags['og:image']);
      }, 'og:image in the served card', 20_000).catch(() => {});
      const { tags } = served;
      assert(tags['og:title'] === name, `og:title is ${JSON.stringify(tags['og:title'])}, not ${JSON.stringify(name)}`);
      assert(tags['og:type'] === 'video.other', `og:type is ${tags['og:type']}`);
      assert(tags['og:url'] === shareUrl, `og:url is ${tags['og:url']}, not ${shareUrl}`);
      assert(tags['og:description'] === 'Shared by the e2e scenario.', `og:description is ${tags['og:description']}`);
      assert(tags['twitter:card'] === 'summary_large_image', `twitter:card is ${tags['twitter:card']}`);
      assert(served.title === `${name} — vidlet`, `the served <title> is ${served.title}`);
      assert(served.scripts.every((src) => src && src.startsWith('/assets/')), `a script without src: ${served.scripts}`);
      assert(tags['og:image'], 'the card has no og:image');
      const image = await pageS.request.get(tags['og:image']);
      const type = image.headers()['content-type'] || '';
      assert(image.status() === 200 && type.startsWith('image/') && (await image.body()).length > 0,
        `og:image ${tags['og:image']} gave ${image.status()} ${type}`);

      // A fresh page opening the link (a full navigation, signed out) shows the video.
      const contextF = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      try {
        const fresh = await newPage(contextF, 'share link');
        await fresh.goto(shareUrl, { waitUntil: 'domcontentloaded' });
        await fresh.locator(tid('video-title')).filter({ hasText: name }).waitFor({ state: 'visible' });
        await waitForPlayer(fresh);
        assert((await fresh.title()) === `${name} — vidlet`, `the page's title is ${await fresh.title()}`);
        await screenshot(fresh, '16-share-link');
        // An old link: #/v/{id} lands on /v/{id} and shows the video.
        await fresh.goto(`${BASE_URL}/#/v/${encodeURIComponent(id)}`, { waitUntil: 'domcontentloaded' });
        await fresh.waitForURL(shareUrl);
        await fresh.locator(tid('video-title')).filter({ hasText: name }).waitFor({ state: 'visible' });
        // Links are followed in place: the owner's link, then Back.
        await fresh.locator(tid('video-owner')).click();
        await fresh.waitForURL(`${BASE_URL}/u/${sharer}`);
        await fresh.locator(`${tid('video-card')}[data-video-id="${id}"]`).waitFor({ state: 'visible' });
        await fresh.goBack();
        await fresh.locator(tid('video-title')).filter({ hasText: name }).waitFor({ state: 'visible' });
      } finally {
        await contextF.close().catch(() => {});
      }
      // Step 9 ran before these pages: check them here.
      const seen = problems.filter((p) => p.startsWith('[sharer]') || p.startsWith('[share link]'));
      assert(seen.length === 0, `${seen.length} script error(s) or CSP violation(s): ${seen.slice(0, 3).join(' | ')}`);
    } finally {
      await contextS.close().catch(() => {});
    }
  });

  let pageF;
  let pageC;
  await step(13, 'a second user follows an uploader (keyboard, phone width) and sees the uploader\'s new video in Following', { pages: () => [pageF, pageC] }, async () => {
    const creator = uniqueName('e2e-c');
    const fan = uniqueName('e2e-f');
    const contextC = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const contextF = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true });
    const before = problems.length;
    pageC = await newPage(contextC, 'creator');
    await pageC.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
    await register(pageC, creator);

    pageF = await newPage(contextF, 'follower');
    await pageF.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
    await register(pageF, fan);
    await open(pageF, `#/u/${creator}`);
    const follow = pageF.locator(`${tid('user-page')} ${tid('follow-button')}`);
    await follow.waitFor({ state: 'visible' });
    await pageF.waitForFunction((sel) => !document.querySelector(sel).disabled, `${tid('user-page')} ${tid('follow-button')}`);
    assert((await follow.getAttribute('aria-pressed')) === 'false', 'a new user already follows the creator');
    await follow.focus();
    await pageF.keyboard.press('Enter');
    await until(async () => (await follow.getAttribute('aria-pressed')) === 'true', 'the button to show Following');
    assert(/Following/.test(await follow.textContent()), `the pressed button reads “${(await follow.textContent()).trim()}”`);

    // The creator publishes after the follow: it must show in the follower's feed.
    const name = `Followed clip ${creator}`;
    const { id } = await upload(pageC, { name, privacy: 'public' });

    await pageF.locator(tid('nav-following')).click();
    await pageF.locator(tid('following-feed')).waitFor({ state: 'visible' });
    await card(pageF, id).waitFor({ state: 'visible' });
    await screenshot(pageF, '12-following-feed-375px');
    await card(pageF, id).locator('a').first().click();
    await pageF.locator(tid('video-title')).filter({ hasText: name }).waitFor({ state: 'visible' });
    const byOwner = pageF.locator(`${tid('video-page')} ${tid('follow-button')}`);
    await until(async () => (await byOwner.getAttribute('aria-pressed')) === 'true' && !(await byOwner.isDisabled()),
      'the video page to show Following beside the owner');
    assert(problems.length === before, `problem(s): ${problems.slice(before, before + 3).join(' | ')}`);
    // Closed only on success, so that a failure can still describe the creator's page.
    await contextC.close().catch(() => {});
  });

  let pageQ;
  await step(14, 'search from the header box at 375 px, other case and no accents, finds the public video titled with accents (not the private one)', { pages: () => [pageQ] }, async () => {
    const owner = uniqueName('e2e-s');
    // The name's unique word keeps other runs' videos out of the results.
    const token = owner.split('-').pop();
    const name = `Café Crème ${token}`;
    const contextS = await browser.newContext({ viewport: { width: 375, height: 800 }, isMobile: true, hasTouch: true });
    try {
      pageQ = await newPage(contextS, 'searcher');
      await pageQ.goto(`${BASE_URL}/`, { waitUntil: 'domcontentloaded' });
      await register(pageQ, owner);
      const { id } = await upload(pageQ, { name, privacy: 'public', description: 'Searched for by the e2e scenario.' });
      const { id: hiddenId } = await upload(pageQ, { name: `${name} privée`, privacy: 'private' });

      // With the keyboard: type in the box, Enter submits.
      const box = pageQ.locator(tid('search-input'));
      await box.fill(`CAFE creme ${token.toUpperCase()}`);
      await box.press('Enter');
      await pageQ.waitForURL(/\/results\?q=/);
      await pageQ.locator(tid('search-page')).waitFor({ state: 'visible' });
      const found = card(pageQ, id);
      await found.waitFor({ state: 'visible' });
      assert((await found.locator(tid('video-card-title')).textContent()) === name, 'the card does not show the title as uploaded');
      assert((await card(pageQ, hiddenId).count()) === 0, 'the private video is found by search');
      assert((await pageQ.locator(tid('video-card')).count()) === 1, 'search shows other videos than the one searched for');
      const box375 = await box.boundingBox();
      assert(box375 && box375.x >= 0 && box375.x + box375.width <= 375, `the search box does not fit 375 px: ${JSON.stringify(box375)}`);
      await screenshot(pageQ, '15-search-375px');

      // A prefix finds it too; a word it does not have finds nothing.
      await open(pageQ, `/results?q=${encodeURIComponent(`cre ${token}`)}`);
      await card(pageQ, id).waitFor({ state: 'visible' });
      await open(pageQ, `/results?q=${encodeURIComponent(`tea ${token}`)}`);
      await pageQ.locator(tid('list-empty')).waitFor({ state: 'visible' });
      assert((await pageQ.locator(tid('video-card')).count()) === 0, 'a word the video does not have found it');
    } finally {
      await contextS.close().catch(() => {});
    }
  });

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

  await step(16, 'no script errors or CSP violations on any page', {
    requires: () => (results.some((r) => r.ok === true) ? null : 'no page was exercised'),
  }, async () => {
    assert(problems.length === 0, `${problems.length} problem(s): ${problems.slice(0, 3).join(' | ')}`);
  });
}

let fatal = null;
try {
  await main();
} catch (err) {
  fatal = err;
  console.log(`FAIL  setup: ${(err && err.message ? err.message : String(err)).split('\n')[0]}`);
} finally {
  if (browser) await Promise.race([browser.close().catch(() => {}), sleep(10_000)]);
}

const passed = results.filter((r) => r.ok === true).length;
const failed = results.filter((r) => r.ok === false).length + (fatal ? 1 : 0);
const skipped = results.filter((r) => r.ok === null).length;
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exitCode = failed > 0 || passed === 0 ? 1 : 0;
clearTimeout(watchdog);
