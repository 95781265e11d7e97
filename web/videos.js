// vidlet — video lists: poster, badges and card of a video, the paged list with "Load more",
// the feed (the home page) and a user's page.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { h, enc, pathTo, session, api, needsAuthorizedMedia, mediaUrl } = vidlet;
  const { formatViews, formatDuration, timeElement, flash, confirmDialog, showFormError, show, notFound } = vidlet;
  const { uploadNotices } = vidlet;

  const VIDEO_PAGE_SIZE = 12;
  const PLACEHOLDER_POSTER = '/assets/placeholder.svg';

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

  Object.assign(vidlet, { statusBadges, deleteVideo, videoList, renderFeed, renderUser });
})();
