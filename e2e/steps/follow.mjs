// Step 13: a follower sees a followed uploader's new video in Following.
import { BASE_URL } from '../config.mjs';
import { assert, newPage, problems, screenshot, step, until } from '../harness.mjs';
import { card, open, register, tid, uniqueName, upload } from '../site.mjs';

export async function followStep(browser) {
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
}
