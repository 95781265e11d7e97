// The run's machinery, apart from the site: the browser, bounded steps reported as PASS, FAIL
// or SKIP, assertions, screenshots, what a failure shows, and the page setup every page gets.
import { chromium } from 'playwright-core';
import path from 'node:path';
import { ACTION_TIMEOUT_MS, BASE_URL, CHROMIUM, OUT, STEP_TIMEOUT_MS, TOTAL_TIMEOUT_MS } from './config.mjs';

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export class AssertionError extends Error {}
export function assert(condition, message) {
  if (!condition) throw new AssertionError(message);
}

// ------------------------------------------------------------------------------------------
// Run bookkeeping: every step is bounded; dependent steps are skipped when a prerequisite failed.

const results = [];
export const problems = []; // script errors and CSP violations seen on any page
let watchdog;

/** Stops the run, with its last line, when it outlasts TOTAL_TIMEOUT_MS. */
export function startWatchdog() {
  watchdog = setTimeout(() => {
    console.log(`FAIL  the run exceeded ${TOTAL_TIMEOUT_MS / 1000} s and was stopped`);
    console.log(`${results.filter((r) => r.ok === true).length} passed, ${results.filter((r) => r.ok === false).length + 1} failed`);
    process.exit(1);
  }, TOTAL_TIMEOUT_MS);
  watchdog.unref();
}

export function stopWatchdog() {
  clearTimeout(watchdog);
}

export const stepPassed = (n) => results.some((r) => r.number === n && r.ok === true);
export const anyStepPassed = () => results.some((r) => r.ok === true);

/** Prints the last line, "N passed, N failed[, N skipped]", and returns the exit code. */
export function finish(fatal) {
  const passed = results.filter((r) => r.ok === true).length;
  const failed = results.filter((r) => r.ok === false).length + (fatal ? 1 : 0);
  const skipped = results.filter((r) => r.ok === null).length;
  console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  return failed > 0 || passed === 0 ? 1 : 0;
}

export async function screenshot(page, name) {
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
export async function step(number, title, { requires = () => null, pages = () => [], timeoutMs = STEP_TIMEOUT_MS } = {}, body) {
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

/** Debian's Chromium, headless, allowed to autoplay. */
export async function launchBrowser() {
  return chromium.launch({
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
}

// ------------------------------------------------------------------------------------------
// Page helpers.

/** What CI shows of a failure: the call that waited, where the page was, what it failed to load. */
export async function describeFailure(err, page) {
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

export async function newPage(context, label) {
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

/** Polls `check` until it is true, for at most `ms`. */
export async function until(check, what, ms = ACTION_TIMEOUT_MS) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new AssertionError(`timed out after ${ms / 1000} s waiting for ${what}`);
    await sleep(100);
  }
}
