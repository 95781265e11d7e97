// Step 8: a 3-part upload paused and reloaded midway resumes with only the missing parts.
import { BASE_URL, BIG_VIDEO, BIG_VIDEO_BYTES, FIXTURE, UPLOAD_TIMEOUT_MS } from '../config.mjs';
import { AssertionError, assert, describeFailure, newPage, screenshot, step, until } from '../harness.mjs';
import { writePaddedVideo } from '../media.mjs';
import { expectPlaysPast, open, partOf, register, text, tid, uniqueName, waitForPlayer, watchProgress } from '../site.mjs';

export async function resumeUploadStep(browser) {
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
}
