// What the scenario does on the site, shared by its steps: open a page, register, sign in,
// upload through the form, wait for the player and for playback.
import { BASE_URL, FIXTURE, PASSWORD, UPLOAD_TIMEOUT_MS } from './config.mjs';
import { AssertionError, assert } from './harness.mjs';

export const tid = (id) => `[data-testid="${id}"]`;
export const uniqueName = (prefix) => `${prefix}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;

/** Opens a page of the site by its path (`/v/<id>`; an old `#/v/<id>` is taken as its path): in
 * place through the page's router when the site is already loaded, else with a full load. */
export async function open(page, target) {
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

export async function text(page, selector) {
  return ((await page.locator(selector).first().textContent()) || '').trim();
}

export async function register(page, username) {
  await open(page, '#/register');
  await page.locator(tid('register-username')).fill(username);
  await page.locator(tid('register-password')).fill(PASSWORD);
  await page.locator(tid('register-submit')).click();
  await expectSignedIn(page, username, tid('register-error'));
}

export async function signIn(page, username) {
  await open(page, '#/signin');
  await page.locator(tid('signin-username')).fill(username);
  await page.locator(tid('signin-password')).fill(PASSWORD);
  await page.locator(tid('signin-submit')).click();
  await expectSignedIn(page, username, tid('signin-error'));
}

export async function expectSignedIn(page, username, errorSelector) {
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
export async function upload(page, { name, privacy, description, file = FIXTURE }) {
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

export async function waitForPlayer(page) {
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
export async function expectPlaysPast(page, after, what) {
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

export function card(page, videoId) {
  return page.locator(`${tid('video-card')}[data-video-id="${videoId}"]`);
}

/** The part number of a PUT of an S3 multipart part (UploadPart's ?partNumber=&uploadId=), or 0. */
export function partOf(request) {
  if (request.method() !== 'PUT') return 0;
  const url = new URL(request.url());
  return url.searchParams.has('uploadId') ? Number(url.searchParams.get('partNumber')) || 0 : 0;
}

/** Records every value the upload page's <progress> takes from now on (in window.__resumed). */
export async function watchProgress(page) {
  await page.evaluate(() => {
    window.__resumed = [];
    const bar = document.querySelector('[data-testid="upload-progress"]');
    new MutationObserver(() => window.__resumed.push(Number(bar.value)))
      .observe(bar, { attributes: true, attributeFilter: ['value'] });
  });
}
