// End-to-end scenario of the vidlet site in headless Chromium (Debian's /usr/bin/chromium,
// driven by playwright-core, which downloads no browser).
//
//   BASE_URL=http://127.0.0.1:9000 node e2e/scenario.mjs
//
// Prints one line per step, then "N passed, N failed" as the last line; exits non-zero when
// any step failed. Screenshots go to target/e2e/ at the repository root.
// The steps live in e2e/steps/, the shared helpers in harness.mjs (the run) and site.mjs (the site).
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CHROMIUM, FIXTURE, OUT } from './config.mjs';
import { finish, launchBrowser, sleep, startWatchdog, stopWatchdog } from './harness.mjs';
import { conversionStep } from './steps/conversion.mjs';
import { editLikeSessionSteps } from './steps/edit-like-session.mjs';
import { firstVideoSteps } from './steps/first-video.mjs';
import { followStep } from './steps/follow.mjs';
import { pageProblemsStep } from './steps/page-problems.mjs';
import { privateVideoStep } from './steps/private-video.mjs';
import { resumeUploadStep } from './steps/resume-upload.mjs';
import { searchStep } from './steps/search.mjs';
import { shareLinkStep } from './steps/share-link.mjs';

let browser;
startWatchdog();

async function main() {
  mkdirSync(OUT, { recursive: true });
  for (const old of readdirSync(OUT)) if (old.endsWith('.png')) rmSync(path.join(OUT, old), { force: true });
  if (!existsSync(FIXTURE)) throw new Error(`missing fixture ${FIXTURE}`);
  if (!existsSync(CHROMIUM)) throw new Error(`missing ${CHROMIUM}: apt-get install -y chromium`);

  browser = await launchBrowser();

  const pageA = await firstVideoSteps(browser);
  await privateVideoStep(browser, pageA);
  await resumeUploadStep(browser);
  await editLikeSessionSteps(browser);
  await shareLinkStep(browser);
  await followStep(browser);
  await searchStep(browser);
  await conversionStep(browser);
  await pageProblemsStep();
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

process.exitCode = finish(fatal);
stopWatchdog();
