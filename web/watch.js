// vidlet — the watch page: the player (window.vidletPlayer), the video's details and owner
// actions, the like button and the view report; its comments are comments.js.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, h, enc, pathTo, session, api, mediaUrl, authorization, numberFormat, formatViews, timeElement } = vidlet;
  const { go, show, notFound, errorPanel, statusBadges, deleteVideo, commentsSection } = vidlet;

  /** Seconds of playback after which the page reports a view (PeerTube's rule; less for a shorter video). */
  const VIEW_AFTER_SECONDS = 10;

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
        h('a', { href: pathTo('signin'), on: { click: () => { state.returnTo = pathTo('v', video.id); } } }, 'Sign in'),
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

  Object.assign(vidlet, { renderVideo });
})();
