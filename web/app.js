// vidlet — the whole single-page front end: plain JavaScript, no framework, no build step.
//
// Rules this file keeps, because the page is served under a strict CSP and shows other
// people's text:
//   * user content (names, descriptions, comments, usernames) only ever goes into the page
//     through textContent / attribute setters — never innerHTML;
//   * no inline styles: state is shown with classes, the hidden attribute and <progress>;
//   * the API is same-origin (relative URLs); video and poster bytes go straight between the
//     browser and S3 through presigned URLs — the machinery (multipart parts, retries, pause,
//     resume after a reload, the poster) is web/upload.js, loaded first as window.vidletUpload;
//     what feeds the watch page's <video> (HLS, renewals, a conversion's progress) is
//     web/player.js (window.vidletPlayer).
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------
  // Limits (kept in step with the server's configuration).

  /** Largest video the server accepts (MAX_UPLOAD_BYTES, 5 GiB). */
  const MAX_UPLOAD_BYTES = 5 * 1024 * 1024 * 1024;
  /** Video types the server accepts. */
  const ALLOWED_VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime'];
  /** When the browser gives a file no type, guess it from the extension. */
  const TYPE_BY_EXTENSION = { mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', qt: 'video/quicktime' };
  const VIDEO_ACCEPT = [...ALLOWED_VIDEO_TYPES, '.mp4', '.webm', '.mov'].join(',');
  const VIDEO_PAGE_SIZE = 12;
  const COMMENT_PAGE_SIZE = 20;
  /** Seconds of playback after which the page reports a view (PeerTube's rule; less for a shorter video). */
  const VIEW_AFTER_SECONDS = 10;
  const PLACEHOLDER_POSTER = '/assets/placeholder.svg';
  const SESSION_KEY = 'vidlet.session';
  const upload = window.vidletUpload;

  // ---------------------------------------------------------------------------------------
  // Small DOM helper: h('a', {href, className, dataset, on: {click}}, ...children).
  // Strings become text nodes, so data can never turn into markup.

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'on') {
          for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
        } else if (key === 'dataset') {
          Object.assign(el.dataset, value);
        } else if (key === 'testid') {
          el.dataset.testid = value;
        } else if (key === 'className' || key === 'textContent' || key === 'value' || key === 'hidden'
          || key === 'disabled' || key === 'required' || key === 'checked' || key === 'selected'
          || key === 'muted' || key === 'controls' || key === 'multiple') {
          el[key] = value;
        } else if (value === true) {
          el.setAttribute(key, '');
        } else {
          el.setAttribute(key, String(value));
        }
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const $ = (selector, root = document) => root.querySelector(selector);
  const enc = encodeURIComponent;

  // ---------------------------------------------------------------------------------------
  // Formatting in the person's locale.

  const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  const numberFormat = new Intl.NumberFormat();
  const percentFormat = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 0 });

  function timeElement(iso, withTime, testid) {
    const date = new Date(iso);
    const valid = !Number.isNaN(date.getTime());
    return h('time', {
      datetime: valid ? date.toISOString() : null,
      title: valid ? dateTimeFormat.format(date) : null,
      testid,
    }, valid ? (withTime ? dateTimeFormat : dateFormat).format(date) : '');
  }

  function formatViews(n) {
    const count = Number.isFinite(n) ? n : 0;
    return `${numberFormat.format(count)} ${count === 1 ? 'view' : 'views'}`;
  }

  function formatDuration(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return '';
    const total = Math.round(seconds);
    const h_ = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = String(total % 60).padStart(2, '0');
    return h_ > 0 ? `${h_}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
  }

  const oneDecimal = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
  function formatBytes(bytes) {
    const mib = bytes / (1024 * 1024);
    // A no-break space keeps the number and its unit on one line.
    if (mib >= 1024) return `${oneDecimal.format(mib / 1024)}\u00a0GiB`;
    if (mib >= 1) return `${oneDecimal.format(mib)}\u00a0MiB`;
    if (bytes === 0) return '0\u00a0bytes';
    return `${numberFormat.format(Math.ceil(bytes / 1024))}\u00a0KiB`;
  }

  function formatTimeLeft(seconds) {
    if (!Number.isFinite(seconds) || seconds < 0) return '';
    if (seconds < 60) return `${Math.max(1, Math.round(seconds))} s left`;
    if (seconds < 3600) return `about ${Math.round(seconds / 60)} min left`;
    return `about ${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min left`;
  }

  function formatWait(seconds) {
    if (seconds < 90) return `${seconds} seconds`;
    return `${Math.ceil(seconds / 60)} minutes`;
  }

  // ---------------------------------------------------------------------------------------
  // Device tokens: one per user name that signed in here, kept across visits.
  // A login that sends it is not held up by strangers guessing that name.

  const DEVICES_KEY = 'vidlet.devices';
  const devices = {
    all() {
      try {
        const stored = JSON.parse(localStorage.getItem(DEVICES_KEY) || '{}');
        return stored && typeof stored === 'object' ? stored : {};
      } catch {
        return {};
      }
    },
    tokenFor(username) {
      const token = this.all()[username.toLowerCase()];
      return typeof token === 'string' ? token : undefined;
    },
    remember(body) {
      if (typeof body.device_token !== 'string') return;
      const stored = this.all();
      stored[body.user.username] = body.device_token;
      try {
        localStorage.setItem(DEVICES_KEY, JSON.stringify(stored));
      } catch {
        // Storage full or disabled: logins still work, only without the device's own bucket.
      }
    },
  };

  // ---------------------------------------------------------------------------------------
  // Session: sent as Authorization: Bearer <id>. Kept in sessionStorage (gone
  // with the tab), or with "keep me signed in" in localStorage (30 days). The
  // server extends a session in use, so only its 401 says a session ended.

  const session = {
    get() {
      try {
        const raw = sessionStorage.getItem(SESSION_KEY) || localStorage.getItem(SESSION_KEY);
        if (!raw) return null;
        const s = JSON.parse(raw);
        if (!s || typeof s.id !== 'string' || typeof s.username !== 'string') return null;
        return s;
      } catch {
        return null;
      }
    },
    set(body, remember) {
      this.clear();
      const value = { id: body.session_id, username: body.user.username };
      (remember ? localStorage : sessionStorage).setItem(SESSION_KEY, JSON.stringify(value));
    },
    clear() {
      sessionStorage.removeItem(SESSION_KEY);
      try {
        localStorage.removeItem(SESSION_KEY);
      } catch {
        // Storage disabled: nothing was kept there.
      }
    },
    username() {
      const s = this.get();
      return s ? s.username : null;
    },
  };

  // ---------------------------------------------------------------------------------------
  // API client. Errors carry the server's own message ("error") for the person.

  class ApiError extends Error {
    constructor(status, message, code) {
      super(message);
      this.name = 'ApiError';
      this.status = status;
      this.code = code || null;
    }
  }

  async function api(method, path, body) {
    const headers = { Accept: 'application/json' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const s = session.get();
    if (s) headers.Authorization = `Bearer ${s.id}`;
    let res;
    try {
      res = await fetch(path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'same-origin',
        cache: 'no-store',
      });
    } catch {
      throw new ApiError(0, 'The server could not be reached. Check your connection and try again.');
    }
    const text = await res.text().catch(() => '');
    let data = null;
    if (text) {
      try {
        data = JSON.parse(text);
      } catch {
        data = null;
      }
    }
    if (!res.ok) {
      let message = data && typeof data.error === 'string' && data.error
        ? data.error
        : `The request failed (HTTP ${res.status}).`;
      if (res.status === 429) {
        const retry = res.headers.get('Retry-After');
        if (retry && /^\d+$/.test(retry)) message += ` Try again in ${formatWait(Number(retry))}.`;
      }
      if (res.status === 401 && s && path !== '/sessions') {
        // The session ended (expired or logged out elsewhere): forget it.
        session.clear();
        renderNav();
        message = 'Your session has ended. Please sign in again.';
      }
      throw new ApiError(res.status, message, data && data.error_code);
    }
    return data;
  }

  /**
   * A <video> or <img> cannot send the Authorization header, so for media that only a
   * signed-in viewer may fetch (a private or pending video of their own) ask the endpoint
   * for the presigned URL as JSON. A server that answers with the usual 302 instead gives an
   * opaque redirect here, and the caller falls back to the plain URL.
   */
  async function authorizedMediaUrl(videoId, kind) {
    const s = session.get();
    if (!s) return null;
    try {
      const res = await fetch(`/videos/${enc(videoId)}/${kind}`, {
        headers: { Authorization: `Bearer ${s.id}`, Accept: 'application/json' },
        redirect: 'manual',
        cache: 'no-store',
      });
      if (!res.ok) return null;
      if (!(res.headers.get('Content-Type') || '').includes('json')) return null;
      const data = await res.json();
      return data && typeof data.url === 'string' ? data.url : null;
    } catch {
      return null;
    }
  }

  function needsAuthorizedMedia(video) {
    return video.owner === session.username() && (video.privacy === 'private' || video.status !== 'ready');
  }

  /** The session's Authorization header value, or null (for the player's playlist requests). */
  function authorization() {
    const s = session.get();
    return s ? `Bearer ${s.id}` : null;
  }

  async function mediaUrl(video, kind) {
    const plain = `/videos/${enc(video.id)}/${kind}`;
    if (!needsAuthorizedMedia(video)) return plain;
    return (await authorizedMediaUrl(video.id, kind)) || plain;
  }

  // ---------------------------------------------------------------------------------------
  // Header, flash messages, confirm dialog.

  function renderNav() {
    const name = session.username();
    $('[data-testid="nav-anonymous"]').hidden = Boolean(name);
    $('[data-testid="nav-signed-in"]').hidden = !name;
    $('[data-testid="nav-username"]').textContent = name || '';
    $('[data-testid="nav-my-videos"]').href = name ? pathTo('u', name) : pathTo();
  }

  let flashTimer = null;
  function flash(message, kind = 'success') {
    const el = $('[data-testid="flash"]');
    el.textContent = message;
    el.classList.toggle('flash-error', kind === 'error');
    el.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      el.hidden = true;
    }, 6000);
  }

  function confirmDialog(message, okLabel) {
    const dialog = $('[data-testid="confirm-dialog"]');
    $('[data-testid="confirm-message"]').textContent = message;
    $('[data-testid="confirm-ok"]').textContent = okLabel;
    if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(message));
    return new Promise((resolve) => {
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
    });
  }

  function showFormError(el, message) {
    el.textContent = message;
    el.hidden = !message;
  }

  // ---------------------------------------------------------------------------------------
  // Router: real paths with the History API (a share link reaches the server, which puts the
  // video's or user's card in the page). The route table is ROUTES: one line per page, its
  // pattern's `:name` segments given to the view decoded. Links are built with pathTo() and
  // followed without a reload (same-origin clicks are intercepted); the server must serve the
  // page on the same path (shared/src/routes.rs, function `web`) for reloads and shared links.

  const view = $('#view');
  let routeSeq = 0;
  let cleanup = null;
  let returnTo = null;
  let focusOnRender = false;

  /** [pattern, view(ctx, params, query)]: the first whose pattern matches the path wins. */
  const ROUTES = [
    ['/', (ctx) => renderFeed(ctx)],
    ['/u/:username', (ctx, p) => renderUser(ctx, p.username)],
    ['/v/:id', (ctx, p) => renderVideo(ctx, p.id)],
    ['/upload', (ctx) => renderUpload(ctx)],
    ['/signin', (ctx) => renderAuth(ctx, 'signin')],
    ['/register', (ctx) => renderAuth(ctx, 'register')],
    ['/following', (ctx) => show(window.vidletFollow.feed(ctx, session.username(), videoList))],
    ['/results', (ctx, p, query) => window.vidletSearch.render(ctx, (query.get('q') || '').trim(), { h, show, videoList })],
  ];

  /** The path of a page: pathTo() is the feed, pathTo('v', id) a video; each part encoded. */
  function pathTo(...parts) {
    return `/${parts.map((part) => enc(part)).join('/')}`;
  }

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
    focusOnRender = true;
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
    if (focusOnRender && title) {
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

  // ---------------------------------------------------------------------------------------
  // Video lists (feed and user page).

  function posterImage(video) {
    const img = h('img', {
      className: 'poster',
      width: 320,
      height: 180,
      loading: 'lazy',
      decoding: 'async',
      alt: `Poster of ${video.name}`,
      testid: 'video-card-poster',
    });
    const usePlaceholder = () => {
      img.classList.add('placeholder');
      img.alt = `No poster for ${video.name}`;
      img.src = PLACEHOLDER_POSTER;
    };
    img.addEventListener('error', () => {
      if (!img.classList.contains('placeholder')) usePlaceholder();
    });
    if (video.has_poster === false) {
      usePlaceholder();
    } else if (needsAuthorizedMedia(video)) {
      mediaUrl(video, 'poster').then((url) => { img.src = url; });
    } else {
      img.src = `/videos/${enc(video.id)}/poster`;
    }
    return img;
  }

  /** The owner's badge for a video that does not play yet (others never see one). */
  const STATUS_BADGES = {
    pending: { className: 'badge', text: 'upload unfinished' },
    processing: { className: 'badge badge-busy', text: 'converting' },
    failed: { className: 'badge badge-warn', text: 'conversion failed' },
    rejected: { className: 'badge badge-warn', text: 'rejected' },
  };

  function statusBadges(video) {
    const badges = [];
    if (video.privacy && video.privacy !== 'public') {
      badges.push(h('span', { className: 'badge', testid: 'badge-privacy' }, video.privacy));
    }
    const status = STATUS_BADGES[video.status];
    if (status) badges.push(h('span', { className: status.className, testid: 'badge-status', dataset: { status: video.status } }, status.text));
    return badges.length ? h('div', { className: 'badges' }, badges) : null;
  }

  function videoCard(video, { onDeleted } = {}) {
    const href = pathTo('v', video.id);
    const mine = video.owner === session.username();
    const duration = formatDuration(video.duration_seconds);
    const card = h('li', { className: 'card', testid: 'video-card', dataset: { videoId: video.id } },
      h('a', { className: 'card-thumb', href, tabindex: -1, 'aria-hidden': 'true' },
        posterImage(video),
        duration ? h('span', { className: 'duration' }, duration) : null),
      h('div', { className: 'card-body' },
        h('h3', { className: 'card-title' }, h('a', { href, testid: 'video-card-title' }, video.name)),
        h('p', { className: 'meta' },
          h('a', { href: pathTo('u', video.owner), testid: 'video-card-owner' }, video.owner),
          ' · ', formatViews(video.views), ' · ', timeElement(video.created_at, false)),
        statusBadges(video),
        mine ? h('div', { className: 'card-actions' },
          h('button', {
            type: 'button',
            className: 'button button-danger-ghost button-small',
            testid: 'video-card-delete',
            'aria-label': `Delete video ${video.name}`,
            on: { click: () => deleteVideo(video, () => { card.remove(); if (onDeleted) onDeleted(); }) },
          }, 'Delete')) : null));
    return card;
  }

  async function deleteVideo(video, onDone) {
    const ok = await confirmDialog(`Delete “${video.name}”? This cannot be undone.`, 'Delete video');
    if (!ok) return;
    try {
      await api('DELETE', `/videos/${enc(video.id)}`);
      flash(`Deleted “${video.name}”.`);
      onDone();
    } catch (err) {
      flash(`Could not delete the video: ${err.message}`, 'error');
    }
  }

  /** A paged list of videos from `path` (?limit=&cursor=) with "Load more". */
  function videoList(ctx, path, emptyText) {
    const list = h('ul', { className: 'video-grid', testid: 'video-list' });
    const empty = h('p', { className: 'empty', testid: 'list-empty', hidden: true }, emptyText);
    const error = h('p', { className: 'form-error', role: 'alert', testid: 'list-error', hidden: true });
    const status = h('p', { className: 'loading', role: 'status' }, 'Loading videos…');
    const more = h('button', { type: 'button', className: 'button button-ghost', testid: 'load-more-videos', hidden: true }, 'Load more');
    const seen = new Set();
    let cursor = null;

    const updateEmpty = () => {
      empty.hidden = list.children.length > 0 || !error.hidden;
    };

    async function load() {
      more.disabled = true;
      status.hidden = false;
      showFormError(error, '');
      const params = new URLSearchParams({ limit: String(VIDEO_PAGE_SIZE) });
      if (cursor) params.set('cursor', cursor);
      try {
        const data = await api('GET', `${path}${path.includes('?') ? '&' : '?'}${params}`);
        if (!ctx.alive()) return;
        for (const video of data.videos || []) {
          if (seen.has(video.id)) continue;
          seen.add(video.id);
          list.append(videoCard(video, { onDeleted: updateEmpty }));
        }
        cursor = data.next_cursor || null;
        more.hidden = !cursor;
      } catch (err) {
        if (!ctx.alive()) return;
        if (err.status === 404) {
          list.dispatchEvent(new CustomEvent('notfound'));
          return;
        }
        showFormError(error, `Could not load videos: ${err.message}`);
      } finally {
        more.disabled = false;
        status.hidden = true;
        updateEmpty();
      }
    }

    more.addEventListener('click', load);
    load();
    return { list, node: h('div', null, status, error, empty, list, h('div', { className: 'load-more' }, more)) };
  }

  function renderFeed(ctx) {
    const me = session.username();
    const welcome = me ? null : h('section', { className: 'panel welcome', testid: 'welcome' },
      h('div', null,
        h('h2', null, 'Welcome to vidlet'),
        h('p', null, 'Watch what people share. Register or sign in to upload your own videos and comment.')),
      h('div', { className: 'welcome-actions' },
        h('a', { className: 'button', href: pathTo('register') }, 'Register'),
        h('a', { className: 'button button-ghost', href: pathTo('signin') }, 'Sign in')));
    const { node } = videoList(ctx, '/videos', 'No videos yet. Be the first to upload one!');
    show(h('section', { testid: 'feed' },
      welcome,
      h('div', { className: 'page-head' },
        h('h1', null, 'Latest videos'),
        me ? h('a', { className: 'button', href: pathTo('upload') }, 'Upload a video') : null),
      me ? uploadNotices(me) : null,
      node));
  }

  function renderUser(ctx, username) {
    const mine = username === session.username();
    const { list, node } = videoList(ctx, `/users/${enc(username)}/videos`,
      mine ? 'You have not uploaded any videos yet.' : 'No public videos yet.');
    const title = h('h1', { testid: 'user-page-title' }, mine ? 'My videos' : `Videos by ${username}`);
    const section = h('section', { testid: 'user-page', dataset: { username } },
      h('div', { className: 'page-head' },
        title,
        mine ? h('a', { className: 'button', href: pathTo('upload') }, 'Upload a video') : null,
        !mine && session.username() ? window.vidletFollow.button(username, api) : null),
      node);
    list.addEventListener('notfound', () => show(notFound('User not found', `There is no user named “${username}”.`)));
    show(section);
  }

  // ---------------------------------------------------------------------------------------
  // Sign in and register.

  function renderAuth(ctx, mode) {
    const register = mode === 'register';
    const id = (s) => `${mode}-${s}`;
    const username = h('input', {
      type: 'text', id: id('username'), name: 'username', required: true,
      autocomplete: 'username', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false',
      minlength: register ? 3 : null, maxlength: 32, 'aria-describedby': register ? id('username-hint') : null,
      testid: id('username'),
    });
    const password = h('input', {
      type: 'password', id: id('password'), name: 'password', required: true,
      autocomplete: register ? 'new-password' : 'current-password',
      minlength: register ? 8 : null, maxlength: 128, 'aria-describedby': register ? id('password-hint') : null,
      testid: id('password'),
    });
    const error = h('p', { className: 'form-error', role: 'alert', testid: id('error'), hidden: true });
    const submit = h('button', { type: 'submit', className: 'button', testid: id('submit') }, register ? 'Create account' : 'Sign in');
    const keep = h('input', { type: 'checkbox', id: id('remember'), name: 'remember', testid: id('remember') });
    const form = h('form', { className: 'form', testid: id('form'), 'aria-labelledby': id('title') },
      h('div', { className: 'field' },
        h('label', { for: id('username') }, 'Username'),
        username,
        register ? h('p', { className: 'hint', id: id('username-hint') }, '3–32 characters: lowercase letters, digits, _ and -.') : null),
      h('div', { className: 'field' },
        h('label', { for: id('password') }, 'Password'),
        password,
        register ? h('p', { className: 'hint', id: id('password-hint') }, 'At least 8 characters.') : null),
      register ? null : h('div', { className: 'field field-inline' },
        keep,
        h('label', { for: id('remember') }, 'Keep me signed in on this device')),
      error,
      h('div', { className: 'form-actions' }, submit));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showFormError(error, '');
      submit.disabled = true;
      try {
        const credentials = { username: username.value.trim(), password: password.value };
        const deviceToken = register ? undefined : devices.tokenFor(credentials.username);
        if (deviceToken) credentials.device_token = deviceToken;
        const remember = !register && keep.checked;
        if (remember) credentials.remember = true;
        const body = await api('POST', register ? '/users' : '/sessions', credentials);
        if (!ctx.alive()) return;
        devices.remember(body);
        session.set(body, remember);
        flash(register ? `Welcome, ${body.user.username}! Your account is ready.` : `Signed in as ${body.user.username}.`);
        const target = returnTo || pathTo();
        returnTo = null;
        go(target);
      } catch (err) {
        if (!ctx.alive()) return;
        showFormError(error, err.message);
        password.value = '';
        password.focus();
      } finally {
        submit.disabled = false;
      }
    });

    show(h('section', { className: 'panel narrow', testid: `${mode}-page` },
      h('h1', { id: id('title') }, register ? 'Create an account' : 'Sign in'),
      form,
      h('p', { className: 'switch-link' },
        register ? 'Already have an account? ' : 'New to vidlet? ',
        h('a', { href: register ? pathTo('signin') : pathTo('register') }, register ? 'Sign in' : 'Register'))));
    if (!session.username()) username.focus({ preventScroll: true });
  }

  function requireSignIn(target) {
    returnTo = target;
    flash('Please sign in first.', 'error');
    go(pathTo('signin'));
  }

  async function logout() {
    // An upload of this tab stops; its record stays, to be resumed after signing in again.
    if (currentJob) currentJob.abandon();
    const s = session.get();
    if (s) {
      try {
        await api('DELETE', '/sessions/current');
      } catch {
        // the session is forgotten locally whatever the server says
      }
    }
    session.clear();
    renderNav();
    flash('You are signed out.');
    go(pathTo());
  }

  // ---------------------------------------------------------------------------------------
  // Upload.

  function fileType(file) {
    if (file.type) return file.type;
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    return TYPE_BY_EXTENSION[ext] || '';
  }

  /** Returns an error message for a file the server would refuse, or '' when it is fine. */
  function checkVideoFile(file) {
    if (!file) return 'Choose a video file.';
    const type = fileType(file);
    if (!ALLOWED_VIDEO_TYPES.includes(type)) {
      return `“${file.name}” is not a supported video (${type || 'unknown type'}). Choose an MP4, WebM or QuickTime (.mov) file.`;
    }
    if (file.size === 0) return `“${file.name}” is empty.`;
    if (file.size > MAX_UPLOAD_BYTES) {
      return `“${file.name}” (${formatBytes(file.size)}) is larger than the ${formatBytes(MAX_UPLOAD_BYTES)} limit.`;
    }
    return '';
  }

  const JOB_ENDED = ['cancelled', 'abandoned'];
  /** The job's panel is gone: it ended, or failed in a way that cannot be tried again. */
  const jobOver = (job) => JOB_ENDED.includes(job.state) || (job.state === 'failed' && !job.retryable);

  /** This tab's upload (window.vidletUpload's UploadJob): it goes on while the person browses. */
  let currentJob = null;

  function launchJob(job) {
    currentJob = job;
    job.subscribe((j) => {
      if (j !== currentJob) return;
      const here = location.pathname === pathTo('upload');
      if (j.state === 'done') {
        currentJob = null;
        flash(`Upload complete: “${j.video.name}”.`);
        if (here) go(pathTo('v', j.video.id));
      } else if (j.state === 'failed' && !here) {
        flash(`The upload of “${j.file.name}” stopped: ${j.error.message}`, 'error');
      }
      if (jobOver(j)) currentJob = null;
    });
    return job;
  }

  function jobStatus(job) {
    switch (job.state) {
      case 'preparing': return 'Preparing the upload…';
      case 'checking': return 'Checking which parts were already sent…';
      case 'sending': return job.retry
        ? `Part ${job.retry.part} did not go through; trying it again in ${formatWait(job.retry.seconds)}…`
        : `Sending “${job.file.name}” (${formatBytes(job.total)})…`;
      case 'paused': return 'Paused. The parts sent so far are kept.';
      case 'completing': return 'Checking the video…';
      case 'poster': return 'Saving the poster…';
      case 'done': return 'Upload complete.';
      case 'failed': return job.retryable ? 'The upload stopped.' : 'The upload failed.';
      default: return '';
    }
  }

  /** "2.1 GiB of 10 GiB used" from GET /me; `free` is what is left (null until known). */
  function usageMeter(ctx) {
    const text = h('span', { id: 'upload-usage-text', testid: 'upload-usage-text' });
    const meter = h('meter', { id: 'upload-usage-meter', min: 0, max: 1, value: 0, 'aria-labelledby': 'upload-usage-text' });
    const usage = { node: h('div', { className: 'usage', testid: 'upload-usage', hidden: true }, meter, text), free: null };
    usage.refresh = () => api('GET', '/me').then((me) => {
      const used = Number(me && me.used_bytes);
      const quota = Number(me && me.quota_bytes);
      if (!ctx.alive() || !Number.isFinite(used) || !Number.isFinite(quota) || quota <= 0) return;
      meter.max = quota;
      meter.high = quota * 0.9;
      meter.optimum = 0;
      meter.value = Math.min(used, quota);
      text.textContent = `${formatBytes(used)} of ${formatBytes(quota)} used`;
      usage.free = Math.max(0, quota - used);
      usage.node.hidden = false;
    }).catch(() => {});
    usage.refresh();
    return usage;
  }

  /** Checks a remembered upload with the server; forgets it when the video is no longer pending. */
  function checkPending(record, onHeld, onGone) {
    api('GET', `/videos/${enc(record.videoId)}/upload`).then(onHeld, (err) => {
      if (err.status !== 404 && err.status !== 409) return;
      upload.pending.remove(record.videoId);
      onGone();
    });
  }

  let resumeSeq = 0;
  /** "Resume upload of …": pick the same file again, or discard the upload. */
  function resumePrompt(ctx, record, { onResume, onDiscarded }) {
    const n = ++resumeSeq;
    const [fileId, titleId, hintId] = [`resume-file-${n}`, `resume-title-${n}`, `resume-hint-${n}`];
    const held = h('span', { testid: 'resume-held' });
    const fileInput = h('input', { type: 'file', id: fileId, accept: VIDEO_ACCEPT, 'aria-describedby': hintId, testid: 'resume-file' });
    const error = h('p', { className: 'form-error', role: 'alert', testid: 'resume-error', hidden: true });
    const submit = h('button', { type: 'submit', className: 'button', testid: 'resume-submit' }, 'Resume upload');
    const discard = h('button', { type: 'button', className: 'button button-danger-ghost', testid: 'resume-discard' }, 'Discard this upload');
    const elsewhere = record.elsewhere;
    const form = h('form', {
      className: 'resume-prompt', testid: 'resume-prompt', dataset: { videoId: record.videoId }, 'aria-labelledby': titleId, novalidate: true,
    },
    h('h2', { id: titleId }, `Resume upload of “${record.name}”`),
    h('p', { id: hintId }, elsewhere
      ? `“${record.fileName}” is being uploaded in another tab or window.`
      : [`Choose “${record.fileName}” (${formatBytes(record.size)}) again to send the rest. `, held]),
    elsewhere ? null : h('div', { className: 'field' }, h('label', { for: fileId }, 'The same video file'), fileInput),
    error,
    elsewhere ? null : h('div', { className: 'form-actions' }, submit, discard));

    checkPending(record, (status) => {
      const bytes = (status.parts || []).reduce((sum, p) => sum + (p.size || 0), 0);
      const count = status.part_count;
      held.textContent = `${(status.parts || []).length} of ${count} ${count === 1 ? 'part' : 'parts'} `
        + `(${percentFormat.format(Math.min(1, bytes / record.size))}) already sent.`;
    }, () => {
      if (ctx.alive()) {
        form.replaceWith(h('p', { className: 'notice', testid: 'resume-gone' },
          `The upload of “${record.name}” can no longer be resumed: it was completed, rejected or deleted.`));
      }
    });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const file = fileInput.files[0];
      let problem = '';
      if (!file) {
        problem = `Choose “${record.fileName}” again.`;
      } else if (!upload.sameFile(record, file)) {
        problem = `“${file.name}” is not the file this upload started with: that was “${record.fileName}”, `
          + `${formatBytes(record.size)}, last changed ${dateTimeFormat.format(new Date(record.lastModified))}.`;
      } else if (currentJob) {
        problem = 'Another upload is going on: wait for it to finish, or cancel it.';
      }
      showFormError(error, problem);
      if (problem) fileInput.focus();
      else onResume(form, file);
    });

    discard.addEventListener('click', async () => {
      const ok = await confirmDialog(`Discard the upload of “${record.name}”? The parts sent so far will be deleted.`, 'Discard upload');
      if (!ok) return;
      discard.disabled = true;
      try {
        await api('DELETE', `/videos/${enc(record.videoId)}`);
      } catch (err) {
        if (err.status !== 404) {
          discard.disabled = false;
          showFormError(error, `Could not discard the upload: ${err.message}`);
          return;
        }
      }
      upload.pending.remove(record.videoId);
      form.remove();
      flash(`Discarded the upload of “${record.name}”.`);
      onDiscarded();
    });
    return form;
  }

  /** On the home page: this tab's upload, and unfinished ones to resume. */
  function uploadNotices(me) {
    const box = h('div', { className: 'upload-notices', testid: 'upload-notices' });
    if (currentJob) {
      const file = currentJob.file.name;
      const what = { failed: `The upload of “${file}” stopped. `, paused: `The upload of “${file}” is paused. ` };
      box.append(h('p', { className: 'notice', testid: 'upload-notice' },
        what[currentJob.state] || `“${file}” is being uploaded. `,
        h('a', { href: pathTo('upload') }, 'Open the upload page')));
    }
    const live = currentJob && currentJob.video ? currentJob.video.id : null;
    for (const record of upload.pending.forUser(me)) {
      if (record.videoId === live || record.elsewhere) continue;
      const notice = h('div', { className: 'notice resume-notice', testid: 'resume-notice', dataset: { videoId: record.videoId } },
        h('p', null, `The upload of “${record.name}” did not finish.`),
        h('a', { className: 'button button-small', href: pathTo('upload'), testid: 'resume-notice-link' }, `Resume upload of “${record.name}”`));
      box.append(notice);
      checkPending(record, () => {}, () => notice.remove());
    }
    return box;
  }

  function renderUpload(ctx) {
    const me = session.username();
    if (!me) {
      requireSignIn(pathTo('upload'));
      return;
    }
    const fileInput = h('input', {
      type: 'file', id: 'upload-file', name: 'file', required: true, accept: VIDEO_ACCEPT,
      'aria-describedby': 'upload-file-hint', testid: 'upload-file',
    });
    const nameInput = h('input', { type: 'text', id: 'upload-name', name: 'name', required: true, maxlength: 200, testid: 'upload-name' });
    const descInput = h('textarea', { id: 'upload-description', name: 'description', rows: 4, maxlength: 5000, testid: 'upload-description' });
    const privacy = h('select', { id: 'upload-privacy', name: 'privacy', 'aria-describedby': 'upload-privacy-hint', testid: 'upload-privacy' },
      h('option', { value: 'public', selected: true }, 'Public — listed in the feed'),
      h('option', { value: 'unlisted' }, 'Unlisted — only people with the link'),
      h('option', { value: 'private' }, 'Private — only you'));
    const error = h('p', { className: 'form-error', role: 'alert', testid: 'upload-error', hidden: true });
    const submit = h('button', { type: 'submit', className: 'button', testid: 'upload-submit' }, 'Upload');
    const usage = usageMeter(ctx);

    const progress = h('progress', { id: 'upload-progress', max: 100, value: 0, testid: 'upload-progress' });
    const progressLabel = h('span', { className: 'progress-label', testid: 'upload-progress-label', 'aria-hidden': 'true' }, percentFormat.format(0));
    const rate = h('p', { className: 'rate-line', testid: 'upload-rate' });
    const status = h('p', { className: 'status-line', role: 'status', tabindex: -1, testid: 'upload-status' });
    const pause = h('button', { type: 'button', className: 'button button-ghost', testid: 'upload-pause', hidden: true }, 'Pause');
    const resume = h('button', { type: 'button', className: 'button', testid: 'upload-resume', hidden: true }, 'Resume');
    const cancel = h('button', { type: 'button', className: 'button button-danger-ghost', testid: 'upload-cancel' }, 'Cancel upload');
    const progressPanel = h('div', { className: 'upload-progress', testid: 'upload-panel', hidden: true },
      h('label', { for: 'upload-progress', className: 'field-label' }, 'Upload progress'),
      h('div', { className: 'progress-row' }, progress, progressLabel),
      rate,
      status,
      h('div', { className: 'form-actions' }, pause, resume, cancel));

    const form = h('form', { className: 'form', testid: 'upload-form', novalidate: true },
      h('div', { className: 'field' },
        h('label', { for: 'upload-file' }, 'Video file'),
        fileInput,
        h('p', { className: 'hint', id: 'upload-file-hint' }, `MP4, WebM or QuickTime (.mov), up to ${formatBytes(MAX_UPLOAD_BYTES)}.`)),
      h('div', { className: 'field' }, h('label', { for: 'upload-name' }, 'Name'), nameInput),
      h('div', { className: 'field' }, h('label', { for: 'upload-description' }, 'Description (optional)'), descInput),
      h('div', { className: 'field' },
        h('label', { for: 'upload-privacy' }, 'Who can watch'),
        privacy,
        h('p', { className: 'hint', id: 'upload-privacy-hint' }, 'Unlisted and private videos do not appear in the public feed.')),
      error,
      h('div', { className: 'form-actions' }, submit));

    // The panel follows one job; leaving the page leaves the job running.
    let job = null;
    let unsubscribe = null;
    let rateShownAt = 0;
    let rateTimer = null;
    let drawnState = '';
    const setBusy = (busy) => {
      for (const el of [fileInput, nameInput, descInput, privacy, submit]) el.disabled = busy;
    };
    const fill = (fields) => {
      nameInput.value = fields.name || '';
      descInput.value = fields.description || '';
      privacy.value = fields.privacy || 'public';
    };

    function draw(j) {
      if (!ctx.alive()) return;
      const s = j.state;
      const over = jobOver(j);
      const focused = document.activeElement;
      if (drawnState === 'preparing' && s !== 'preparing') usage.refresh(); // the size is reserved now
      drawnState = s;
      setBusy(!over);
      progressPanel.hidden = over;
      const pct = over ? 0 : Math.floor((j.sent / j.total) * 100);
      if (progress.value !== pct) {
        progress.value = pct;
        progressLabel.textContent = percentFormat.format(pct / 100);
      }
      // The rate line changes at most twice a second (and once more after a burst).
      const now = Date.now();
      clearTimeout(rateTimer);
      if (s === 'sending' && now - rateShownAt < 500) {
        rateTimer = setTimeout(() => draw(j), 500 - (now - rateShownAt));
      } else {
        rateShownAt = now;
        const speed = j.speed();
        rate.textContent = [`${formatBytes(j.sent)} of ${formatBytes(j.total)}`,
          speed ? `${formatBytes(speed)}/s` : '', speed ? formatTimeLeft(j.secondsLeft()) : ''].filter(Boolean).join(' · ');
      }
      const line = jobStatus(j);
      if (status.textContent !== line) status.textContent = line;
      pause.hidden = s !== 'sending';
      resume.hidden = !(s === 'paused' || (s === 'failed' && j.retryable));
      resume.textContent = s === 'failed' ? 'Try again' : 'Resume';
      cancel.disabled = ['completing', 'poster', 'done'].includes(s);
      if (focused === pause && pause.hidden && !resume.hidden) resume.focus();
      if (focused === resume && resume.hidden && !pause.hidden) pause.focus();
      if (s === 'failed') {
        showFormError(error, j.retryable
          ? `${j.error.message} The parts sent so far are kept: try again now, or later from this page.`
          : j.error.message);
      } else if (s === 'cancelled') {
        showFormError(error, 'Upload cancelled.');
      } else {
        showFormError(error, '');
      }
      if (over) {
        if (unsubscribe) unsubscribe();
        unsubscribe = null;
        job = null;
        usage.refresh();
        if (progressPanel.contains(focused) || focused === document.body) fileInput.focus({ preventScroll: true });
      }
    }

    function follow(j) {
      if (unsubscribe) unsubscribe();
      job = j;
      unsubscribe = j.subscribe(draw);
      draw(j);
      // The button pressed is now disabled or gone: keep the keyboard focus on the upload.
      const focused = document.activeElement;
      if (!focused || focused === document.body || focused.disabled || !focused.isConnected) status.focus({ preventScroll: true });
    }

    pause.addEventListener('click', () => { if (job) job.pause(); });
    resume.addEventListener('click', () => {
      if (!job) return;
      if (job.state === 'failed') job.retryNow();
      else job.unpause();
    });
    cancel.addEventListener('click', () => { if (job) job.cancel(); });

    let suggestedName = '';
    fileInput.addEventListener('change', () => {
      const file = fileInput.files[0];
      const problem = file ? checkVideoFile(file) : '';
      showFormError(error, problem);
      // Suggest a name from the file, unless the person typed their own.
      if (file && (!nameInput.value.trim() || nameInput.value === suggestedName)) {
        suggestedName = file.name.replace(/\.[^.]+$/, '');
        nameInput.value = suggestedName;
      }
    });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (currentJob) return;
      showFormError(error, '');
      const file = fileInput.files[0];
      let problem = checkVideoFile(file);
      if (!problem && usage.free !== null && file.size > usage.free) {
        problem = `“${file.name}” (${formatBytes(file.size)}) does not fit in your storage: ${formatBytes(usage.free)} left. `
          + 'Delete a video or choose a smaller file.';
      }
      if (problem) {
        showFormError(error, problem);
        fileInput.focus();
        return;
      }
      const name = nameInput.value.trim();
      if (!name) {
        showFormError(error, 'Give the video a name.');
        nameInput.focus();
        return;
      }
      const j = launchJob(new upload.UploadJob({ api, file, username: me }));
      follow(j);
      j.start({ name, description: descInput.value.trim(), privacy: privacy.value, contentType: fileType(file) });
    });

    const prompts = h('div', { className: 'resume-list', testid: 'resume-list' });
    const live = currentJob && currentJob.video ? currentJob.video.id : null;
    for (const record of upload.pending.forUser(me)) {
      if (record.videoId === live) continue;
      prompts.append(resumePrompt(ctx, record, {
        onResume: (node, file) => {
          node.remove();
          fill(record);
          const j = launchJob(new upload.UploadJob({ api, file, username: me }));
          follow(j);
          j.resume(record);
        },
        onDiscarded: () => {
          usage.refresh();
          fileInput.focus({ preventScroll: true }); // the prompt that had the focus is gone
        },
      }));
    }

    ctx.onLeave(() => {
      clearTimeout(rateTimer);
      if (unsubscribe) unsubscribe();
    });

    show(h('section', { className: 'panel medium', testid: 'upload-page' },
      h('h1', null, 'Upload a video'),
      usage.node,
      prompts,
      form,
      progressPanel));
    if (currentJob) {
      if (currentJob.fields) fill(currentJob.fields);
      follow(currentJob);
    }
  }

  // ---------------------------------------------------------------------------------------
  // Watch page and comments.

  async function renderVideo(ctx, id) {
    show(h('p', { className: 'loading', role: 'status' }, 'Loading video…'));
    let video;
    try {
      video = await api('GET', `/videos/${enc(id)}`);
    } catch (err) {
      if (!ctx.alive()) return;
      if (err.status === 404 || err.status === 403) {
        show(notFound('Video not found', 'This video does not exist, was deleted, or is private.'));
      } else {
        show(h('section', null, h('h1', null, 'Could not load the video'), errorPanel(err)));
      }
      return;
    }
    if (!ctx.alive()) return;
    if (video && video.video && !video.id) video = video.video; // tolerate {"video": {...}}

    const me = session.username();
    const mine = video.owner === me;
    const badges = h('div', { className: 'badge-slot' }, statusBadges(video));
    const playback = window.vidletPlayer.mount(video, {
      api, mediaUrl, alive: ctx.alive, authorization,
      onPlayer: (player, shown) => reportViewOncePlayed(shown, player),
      onChange: (fresh) => badges.replaceChildren(...[statusBadges(fresh)].filter(Boolean)),
    });
    ctx.onLeave(playback.stop);

    const info = h('div', { className: 'video-info' },
      h('h1', { testid: 'video-title' }, video.name),
      h('p', { className: 'meta' },
        'by ', h('a', { href: pathTo('u', video.owner), testid: 'video-owner' }, video.owner),
        !mine && me ? ' ' : null, !mine && me ? window.vidletFollow.button(video.owner, api) : null,
        ' · ', h('span', { testid: 'video-views' }, formatViews(video.views)),
        ' · ', timeElement(video.created_at, true, 'video-date')),
      badges,
      likeButton(video),
      window.vidletShare.control(pathTo('v', video.id)),
      video.description ? h('p', { className: 'description', testid: 'video-description' }, video.description) : null,
      mine ? h('div', { className: 'owner-actions' },
        h('button', {
          type: 'button', className: 'button button-ghost', testid: 'video-edit',
          on: {
            click: () => window.vidletEdit.open(video, api, () => {
              playback.stop();
              renderVideo(ctx, video.id);
            }),
          },
        }, 'Edit'),
        h('button', {
          type: 'button', className: 'button button-danger-ghost', testid: 'video-delete',
          on: { click: () => deleteVideo(video, () => go(pathTo('u', me))) },
        }, 'Delete video')) : null);

    show(h('article', { className: 'watch', testid: 'video-page', dataset: { videoId: video.id } },
      playback.node, info, commentsSection(ctx, video)));
  }

  /**
   * The like button: a toggle (aria-pressed) with the count. PUT and DELETE are idempotent, so
   * the count shown moves by one only when the pressed state changes. Signed out: a sign-in link.
   */
  function likeButton(video) {
    let liked = video.liked_by_me === true;
    let count = Number.isFinite(video.likes) ? video.likes : 0;
    const countText = () => `${numberFormat.format(count)} ${count === 1 ? 'like' : 'likes'}`;
    const shown = h('span', { testid: 'video-likes', 'aria-live': 'polite' }, countText());
    if (!session.username()) {
      return h('p', { className: 'like-row' }, shown, ' · ',
        h('a', { href: pathTo('signin'), on: { click: () => { returnTo = pathTo('v', video.id); } } }, 'Sign in'),
        ' to like.');
    }
    const heart = h('span', { 'aria-hidden': 'true' }, liked ? '♥' : '♡');
    const button = h('button', {
      type: 'button', className: 'button button-ghost button-small like-button', testid: 'video-like',
      'aria-pressed': String(liked),
    }, heart, ' Like');
    const error = h('span', { className: 'form-error', role: 'alert', testid: 'like-error' });
    button.addEventListener('click', async () => {
      button.disabled = true;
      error.textContent = '';
      try {
        await api(liked ? 'DELETE' : 'PUT', `/videos/${enc(video.id)}/like`);
        count += liked ? -1 : 1;
        liked = !liked;
        button.setAttribute('aria-pressed', String(liked));
        heart.textContent = liked ? '♥' : '♡';
        shown.textContent = countText();
      } catch (err) {
        error.textContent = err.message;
      } finally {
        button.disabled = false;
        button.focus();
      }
    });
    return h('p', { className: 'like-row' }, button, shown, error);
  }

  /**
   * Reports a view (POST /videos/{id}/views) once, when playback has run for VIEW_AFTER_SECONDS,
   * or to the end of a shorter video. What counts is the time actually played (the union of
   * the played ranges), so seeking ahead does not count and replaying is not counted twice.
   * The server counts a viewer once per video in 6 hours; it answers 204 either way.
   */
  function reportViewOncePlayed(video, player) {
    let reported = false;
    const playedSeconds = () => {
      let total = 0;
      for (let i = 0; i < player.played.length; i += 1) total += player.played.end(i) - player.played.start(i);
      return total;
    };
    const check = () => {
      if (reported) return;
      const duration = Number.isFinite(player.duration) && player.duration > 0 ? player.duration : Infinity;
      // A frame's worth of slack for a short video played to its end.
      const needed = Math.min(VIEW_AFTER_SECONDS, Math.max(duration - 0.25, 0.1));
      if (playedSeconds() < needed) return;
      reported = true;
      api('POST', `/videos/${enc(video.id)}/views`).catch(() => {});
    };
    player.addEventListener('timeupdate', check);
    player.addEventListener('ended', check);
  }

  function commentsSection(ctx, video) {
    const me = session.username();
    const list = h('ol', { className: 'comment-list', testid: 'comment-list' });
    const empty = h('p', { className: 'empty', testid: 'comments-empty', hidden: true }, 'No comments yet.');
    const loadError = h('p', { className: 'form-error', role: 'alert', testid: 'comments-error', hidden: true });
    const more = h('button', { type: 'button', className: 'button button-ghost', testid: 'load-more-comments', hidden: true }, 'Load more comments');
    const seen = new Set();
    let cursor = null;

    const updateEmpty = () => {
      empty.hidden = list.children.length > 0;
    };

    function commentItem(comment) {
      const canDelete = me && (comment.author === me || video.owner === me);
      const item = h('li', { className: 'comment', testid: 'comment', dataset: { commentId: comment.id } },
        h('div', { className: 'comment-head' },
          h('a', { className: 'comment-author', href: pathTo('u', comment.author), testid: 'comment-author' }, comment.author),
          h('span', { className: 'comment-time' }, timeElement(comment.created_at, true)),
          canDelete ? h('button', {
            type: 'button', className: 'button button-ghost button-small', testid: 'comment-delete',
            'aria-label': `Delete comment by ${comment.author}`,
          }, 'Delete') : null),
        h('p', { className: 'comment-content', testid: 'comment-content' }, comment.content));
      if (canDelete) {
        $('[data-testid="comment-delete"]', item).addEventListener('click', async (e) => {
          const button = e.currentTarget;
          const ok = await confirmDialog('Delete this comment?', 'Delete comment');
          if (!ok) return;
          button.disabled = true;
          try {
            await api('DELETE', `/videos/${enc(video.id)}/comments/${enc(comment.id)}`);
            item.remove();
            updateEmpty();
            flash('Comment deleted.');
          } catch (err) {
            button.disabled = false;
            flash(`Could not delete the comment: ${err.message}`, 'error');
          }
        });
      }
      return item;
    }

    async function load() {
      more.disabled = true;
      showFormError(loadError, '');
      const params = new URLSearchParams({ limit: String(COMMENT_PAGE_SIZE) });
      if (cursor) params.set('cursor', cursor);
      try {
        const data = await api('GET', `/videos/${enc(video.id)}/comments?${params}`);
        if (!ctx.alive()) return;
        for (const comment of data.comments || []) {
          if (seen.has(comment.id)) continue;
          seen.add(comment.id);
          list.append(commentItem(comment));
        }
        cursor = data.next_cursor || null;
        more.hidden = !cursor;
      } catch (err) {
        if (!ctx.alive()) return;
        showFormError(loadError, `Could not load comments: ${err.message}`);
      } finally {
        more.disabled = false;
        updateEmpty();
      }
    }
    more.addEventListener('click', load);

    let form;
    if (me) {
      const input = h('textarea', { id: 'comment-input', name: 'content', rows: 3, required: true, maxlength: 2000, testid: 'comment-input' });
      const error = h('p', { className: 'form-error', role: 'alert', testid: 'comment-error', hidden: true });
      const submit = h('button', { type: 'submit', className: 'button', testid: 'comment-submit' }, 'Post comment');
      form = h('form', { className: 'form', testid: 'comment-form' },
        h('div', { className: 'field' }, h('label', { for: 'comment-input' }, 'Add a comment'), input),
        error,
        h('div', { className: 'form-actions' }, submit));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const content = input.value;
        if (!content.trim()) {
          showFormError(error, 'Write something first.');
          input.focus();
          return;
        }
        showFormError(error, '');
        submit.disabled = true;
        try {
          const res = await api('POST', `/videos/${enc(video.id)}/comments`, { content });
          if (!ctx.alive()) return;
          const comment = res.comment || res;
          seen.add(comment.id);
          list.prepend(commentItem(comment));
          updateEmpty();
          input.value = '';
        } catch (err) {
          if (!ctx.alive()) return;
          showFormError(error, err.message);
        } finally {
          submit.disabled = false;
        }
      });
    } else {
      form = h('p', { className: 'notice', testid: 'comment-signin' },
        h('a', { href: pathTo('signin'), on: { click: () => { returnTo = pathTo('v', video.id); } } }, 'Sign in'),
        ' to comment.');
    }

    load();
    return h('section', { className: 'comments', testid: 'comments', 'aria-labelledby': 'comments-title' },
      h('h2', { id: 'comments-title' }, 'Comments'),
      form, loadError, empty, list,
      h('div', { className: 'load-more' }, more));
  }

  // ---------------------------------------------------------------------------------------
  // Start.

  async function start() {
    $('[data-testid="nav-logout"]').addEventListener('click', logout);
    window.vidletSearch.mount(go);
    document.addEventListener('click', followLink);
    window.addEventListener('popstate', () => {
      focusOnRender = true;
      route();
    });
    // An old `#/...` link, opened or typed while the page is up.
    window.addEventListener('hashchange', () => {
      if (!upgradeHashLink()) return;
      focusOnRender = true;
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
