// Step 7: another user cannot find a private video, by its page or in its owner's list.
import { BASE_URL } from '../config.mjs';
import { assert, newPage, screenshot, step } from '../harness.mjs';
import { card, open, register, text, tid, uniqueName, upload } from '../site.mjs';

/** `page` is user A's (steps 1 to 6): shown too when this step fails. */
export async function privateVideoStep(browser, page) {
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
}
