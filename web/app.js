// vidlet — the single-page front end's entry: plain JavaScript, no framework, no build step.
// Loaded last; starts the page. The front end is split by concern, in index.html's order:
//   * core.js (namespace, shared state, h()), format.js, api.js (API client, session),
//     page.js (nav, flash, confirm dialog), router.js;
//   * the views: auth.js, upload-page.js, upload-resume.js, videos.js, comments.js, watch.js;
//   * loaded before them: upload*.js (the upload machinery, window.vidletUpload), player.js
//     (window.vidletPlayer), edit.js, share.js, follow.js and search.js.
// Rules every file keeps, because the page is served under a strict CSP and shows other
// people's text:
//   * user content (names, descriptions, comments, usernames) only ever goes into the page
//     through textContent / attribute setters — never innerHTML;
//   * no inline styles: state is shown with classes, the hidden attribute and <progress>;
//   * the API is same-origin (relative URLs); video and poster bytes go straight between the
//     browser and S3 through presigned URLs.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, $, session, api, renderNav, logout, go, followLink, route, upgradeHashLink } = vidlet;

  async function start() {
    $('[data-testid="nav-logout"]').addEventListener('click', logout);
    window.vidletSearch.mount(go);
    document.addEventListener('click', followLink);
    window.addEventListener('popstate', () => {
      state.focusOnRender = true;
      route();
    });
    // An old `#/...` link, opened or typed while the page is up.
    window.addEventListener('hashchange', () => {
      if (!upgradeHashLink()) return;
      state.focusOnRender = true;
      route();
    });
    upgradeHashLink();
    renderNav();
    route();
    // Check that a stored session is still alive; the server's 401 clears it.
    if (session.get()) {
      try {
        await api('GET', '/me');
      } catch (err) {
        if (err.status === 401) route();
      }
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
