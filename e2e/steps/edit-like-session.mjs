// Steps 9 to 11 at phone width, on one signed-in page: edit a title, like the video, and a
// session that outlives its lifetime in use, kept across tabs on request.
import { BASE_URL, PASSWORD } from '../config.mjs';
import { assert, newPage, screenshot, sleep, step } from '../harness.mjs';
import { expectSignedIn, open, register, signIn, tid, uniqueName, upload } from '../site.mjs';

export async function editLikeSessionSteps(browser) {
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
}
