// Step 14: search from the header box folds case and accents and finds no private video.
import { BASE_URL } from '../config.mjs';
import { assert, newPage, screenshot, step } from '../harness.mjs';
import { card, open, register, tid, uniqueName, upload } from '../site.mjs';

export async function searchStep(browser) {
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
}
