// vidlet — the router: real paths with the History API (a share link reaches the server, which
// puts the video's or user's card in the page). The route table is ROUTES: one line per page,
// its pattern's `:name` segments given to the view decoded. Links are built with pathTo() and
// followed without a reload (same-origin clicks are intercepted); the server must serve the
// page on the same path (shared/src/routes.rs, function `web`) for reloads and shared links.
// show() replaces the view; notFound() and errorPanel() are what it shows when a page fails.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, h, $, pathTo, session, renderNav } = vidlet;

  const view = $('#view');
  let routeSeq = 0;
  let cleanup = null;

  /**
   * [pattern, view(ctx, params, query)]: the first whose pattern matches the path wins. The
   * views are in files loaded after this one: looked up on vidlet when a page is shown.
   */
  const ROUTES = [
    ['/', (ctx) => vidlet.renderFeed(ctx)],
    ['/u/:username', (ctx, p) => vidlet.renderUser(ctx, p.username)],
    ['/v/:id', (ctx, p) => vidlet.renderVideo(ctx, p.id)],
    ['/upload', (ctx) => vidlet.renderUpload(ctx)],
    ['/signin', (ctx) => vidlet.renderAuth(ctx, 'signin')],
    ['/register', (ctx) => vidlet.renderAuth(ctx, 'register')],
    ['/following', (ctx) => show(window.vidletFollow.feed(ctx, session.username(), vidlet.videoList))],
    ['/results', (ctx, p, query) => window.vidletSearch.render(ctx, (query.get('q') || '').trim(), { h, show, videoList: vidlet.videoList })],
  ];

  /** The route a path shows: { render, params }, or null for no page. */
  function parseRoute(pathname = location.pathname) {
    let parts;
    try {
      parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      return null;
    }
    for (const [pattern, render] of ROUTES) {
      const names = pattern.split('/').filter(Boolean);
      if (names.length !== parts.length) continue;
      const params = {};
      const matches = names.every((name, i) => {
        if (name.startsWith(':')) params[name.slice(1)] = parts[i];
        return name.startsWith(':') || name === parts[i];
      });
      if (matches) return { render, params };
    }
    return null;
  }

  /** An old `#/v/<id>` link (or any `#/...`) becomes its path, without a history entry. */
  function upgradeHashLink() {
    if (!location.hash.startsWith('#/')) return false;
    history.replaceState(null, '', location.hash.slice(1) || '/');
    return true;
  }

  /** Shows the page at `target` (a path, maybe with ?query), as a new history entry. */
  function go(target) {
    const url = new URL(target, location.origin);
    if (url.pathname + url.search !== location.pathname + location.search || location.hash) {
      history.pushState(null, '', url.pathname + url.search);
    }
    state.focusOnRender = true;
    route();
  }

  /** Same-origin links to a page of the site navigate in place; anything else as usual. */
  function followLink(e) {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = e.target instanceof Element ? e.target.closest('a[href]') : null;
    if (!a || (a.target && a.target !== '_self') || a.hasAttribute('download')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin) return;
    // An in-page anchor such as the skip link: the browser's own job.
    if (url.hash && !url.hash.startsWith('#/') && url.pathname === location.pathname) return;
    const target = url.hash.startsWith('#/') ? url.hash.slice(1) : url.pathname + url.search;
    if (!parseRoute(new URL(target, location.origin).pathname)) return;
    e.preventDefault();
    go(target);
  }

  function route() {
    if (cleanup) {
      try {
        cleanup();
      } catch {
        // a view's cleanup must never stop navigation
      }
      cleanup = null;
    }
    const seq = ++routeSeq;
    const r = parseRoute();
    const alive = () => seq === routeSeq;
    const ctx = { alive, onLeave: (fn) => { cleanup = fn; } };
    renderNav();
    if (r) r.render(ctx, r.params, new URLSearchParams(location.search));
    else show(notFound('Page not found', 'There is nothing at this address.'));
  }

  /** Replaces the view; after a navigation, moves focus to the new heading for screen readers. */
  function show(...nodes) {
    view.replaceChildren(...nodes);
    const title = $('h1', view);
    document.title = title ? `${title.textContent} — vidlet` : 'vidlet';
    if (state.focusOnRender && title) {
      title.tabIndex = -1;
      title.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }

  function notFound(title, text) {
    return h('section', { className: 'not-found', testid: 'not-found' },
      h('h1', null, title),
      h('p', { className: 'muted' }, text),
      h('p', null, h('a', { href: pathTo(), className: 'button' }, 'Back to the latest videos')));
  }

  function errorPanel(err) {
    return h('p', { className: 'form-error', role: 'alert', testid: 'view-error' }, err.message);
  }

  Object.assign(vidlet, { upgradeHashLink, go, followLink, route, show, notFound, errorPanel });
})();
