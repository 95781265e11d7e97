// Step 12: a share link serves the video's OpenGraph card and renders the video.
import { BASE_URL } from '../config.mjs';
import { assert, newPage, problems, screenshot, step, until } from '../harness.mjs';
import { register, tid, uniqueName, upload, waitForPlayer } from '../site.mjs';

export async function shareLinkStep(browser) {
  let pageS = null;
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
}
