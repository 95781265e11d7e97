// vidlet — search (GET /search?q=): the header's search box and the results page, loaded before
// the app's files (router.js routes /results?q=… here with its helpers). Exposes
// window.vidletSearch.
// The box is a real form (Enter submits it); results are the feed's video cards, paged the
// same way. The query goes into the view only as text.
'use strict';

window.vidletSearch = (() => {
  const MAX_CHARS = 100;

  /** The page of the results for `q` (the API is /search, so the page is /results). */
  function pathFor(q) {
    return `/results?${new URLSearchParams({ q })}`;
  }

  function box() {
    return document.querySelector('[data-testid="search-input"]');
  }

  /** Wires the header's form: submitting goes to the results (nothing for an empty box). */
  function mount(go) {
    const form = document.querySelector('[data-testid="search-form"]');
    const input = box();
    if (!form || !input) return;
    input.maxLength = MAX_CHARS;
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const q = input.value.trim();
      if (!q) {
        input.focus();
        return;
      }
      go(pathFor(q));
    });
  }

  /**
   * The results page. `app` is the app's { h, show, videoList }: videoList(ctx, path, emptyText)
   * pages `path` with limit and cursor, as the feed does.
   */
  function render(ctx, q, app) {
    const input = box();
    if (input && input.value.trim() !== q) input.value = q;
    const { h, show, videoList } = app;
    if (!q) {
      show(h('section', { testid: 'search-page' },
        h('h1', null, 'Search'),
        h('p', { className: 'muted' }, 'Type words in the search box: videos whose title or description has words starting with them are shown, newest first.')));
      return;
    }
    const { node } = videoList(ctx, `/search?${new URLSearchParams({ q })}`,
      'No public video matches. Try fewer or shorter words.');
    show(h('section', { testid: 'search-page', dataset: { q } },
      h('div', { className: 'page-head' },
        h('h1', { testid: 'search-title' }, `Results for “${q}”`)),
      node));
  }

  return { mount, render, pathFor };
})();
