// vidlet — the watch page's player, loaded before the app's files (watch.js hands in its API
// client and helpers). Exposes window.vidletPlayer.mount(video, helpers) → { node, stop }:
//   * a ready video with a ladder (`hls: true`) plays what GET /videos/{id}/playback names:
//     HLS through hls.js (Media Source Extensions), or natively where the browser plays HLS
//     and has no MediaSource (Safari on iPhone), or a file. The answer is asked for again after
//     its renew_after_seconds while the video plays: on AWS that renews the CloudFront cookies
//     of the same URL, so playback goes on untouched;
//   * any other ready video plays its presigned stream_url, then /stream once if that fails;
//   * its owner's video being converted (`processing`) says so, and GET /videos/{id} is polled,
//     less and less often, until it changes: a ready one then plays in place; `failed` says why.
// hls.js (web/vendor/hls.min.js) is fetched only when a page needs it, as a script of this
// origin, and runs without its worker (made from a blob: URL, which the CSP does not allow).
'use strict';

window.vidletPlayer = (() => {
  const HLS_TYPE = 'application/vnd.apple.mpegurl';
  const HLS_SCRIPT = '/assets/hls.min.js';
  /** GET /videos/{id} while it converts: after 3 s, then 1.5 times longer each time, up to 10 s. */
  const POLL = { firstMs: 3000, growth: 1.5, maxMs: 10_000 };
  /** Never renew sooner than this, whatever the answer says; retry a failed renewal after RETRY. */
  const RENEW_MIN_SECONDS = 15;
  const RENEW_RETRY_SECONDS = 30;
  /** Fatal hls.js errors recovered from before the player falls back to the original file. */
  const MAX_RECOVERIES = 3;
  const enc = encodeURIComponent;

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'testid') node.dataset.testid = v;
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v);
    }
    node.append(...children.filter(Boolean));
    return node;
  }

  /**
   * Only the API's own playlist route needs the session: never a presigned S3 URL (S3 refuses
   * a second authentication) nor CloudFront's /hls/ (its signed cookies authorize those).
   */
  function wantsSession(url) {
    try {
      const target = new URL(url, location.href);
      return target.origin === location.origin && target.pathname.startsWith('/videos/');
    } catch {
      return false;
    }
  }

  let hlsLoading = null;
  /** window.Hls, from web/vendor/hls.min.js loaded once; null when it cannot load. */
  function loadHls() {
    if (window.Hls) return Promise.resolve(window.Hls);
    if (!hlsLoading) {
      hlsLoading = new Promise((resolve) => {
        const script = el('script', { src: HLS_SCRIPT });
        script.addEventListener('load', () => resolve(window.Hls || null));
        script.addEventListener('error', () => {
          hlsLoading = null; // a later page may try again
          script.remove();
          resolve(null);
        });
        document.head.append(script);
      });
    }
    return hlsLoading;
  }

  /** How this browser plays HLS: 'native' (HLS in <video>, no MediaSource), 'mse' (hls.js), or null. */
  function hlsEngine() {
    const native = Boolean(document.createElement('video').canPlayType(HLS_TYPE));
    if (native && !window.MediaSource) return 'native';
    if (window.MediaSource || window.ManagedMediaSource) return 'mse';
    return native ? 'native' : null;
  }

  /**
   * Feeds `player` with `video` (ready); `onUnplayable` when nothing it has plays here.
   * Returns stop(), which ends hls.js and the renewals.
   */
  function feed(player, video, helpers, onUnplayable) {
    const { api, mediaUrl, authorization } = helpers;
    const playbackPath = `/videos/${enc(video.id)}/playback`;
    let stopped = false;
    let mode = null; // 'file' | 'native' | 'hls.js'
    let retryStream = false;
    let hls = null;
    let hlsUrl = null;
    let recoveries = 0;
    let renewTimer = null;
    let renewDue = false;
    const live = () => !stopped && helpers.alive();

    /** The original file: it needs no cookies, so renewals stop, whichever way it was reached. */
    function playFile(url, canRetryStream) {
      clearTimeout(renewTimer);
      renewDue = false;
      mode = 'file';
      retryStream = canRetryStream;
      player.src = url;
    }

    /** The original: stream_url (presigned), else /stream. */
    async function playOriginal() {
      if (video.stream_url) {
        playFile(video.stream_url, true);
        return;
      }
      const url = await mediaUrl(video, 'stream');
      if (live()) playFile(url, false);
    }

    player.addEventListener('error', async () => {
      if (!live() || mode === 'hls.js') return; // hls.js reports through its own events
      if (mode === 'native') {
        playOriginal();
      } else if (retryStream) {
        // A presigned URL expires (after an hour): once more through /stream, where we were.
        retryStream = false;
        const at = player.currentTime;
        const url = await mediaUrl(video, 'stream');
        if (!live()) return;
        player.src = url;
        if (at > 0) player.currentTime = at;
      } else {
        onUnplayable();
      }
    });

    function scheduleRenewal(seconds) {
      clearTimeout(renewTimer);
      const wait = Math.max(RENEW_MIN_SECONDS, Number(seconds) || 0) * 1000;
      renewTimer = setTimeout(() => {
        if (!live()) return;
        if (player.paused) renewDue = true; // renewed when playback starts again
        else renew();
      }, wait);
    }

    /** Asks for the playback again: new cookies for the same URL, nothing else changes. */
    async function renew() {
      try {
        const answer = await api('GET', playbackPath);
        if (live()) scheduleRenewal(answer && answer.renew_after_seconds);
      } catch (err) {
        // Gone or no longer visible: what is buffered plays on, nothing more is renewed.
        if (live() && err.status !== 404 && err.status !== 401) scheduleRenewal(RENEW_RETRY_SECONDS);
      }
    }

    player.addEventListener('play', () => {
      if (renewDue && live()) {
        renewDue = false;
        renew();
      }
    });

    function startHls(Hls, url, at) {
      hls = new Hls({
        enableWorker: false,
        startPosition: at > 0 ? at : -1,
        xhrSetup(xhr, target) {
          const auth = authorization();
          if (!auth || !wantsSession(target)) return; // hls.js opens the request itself
          xhr.open('GET', target, true);
          xhr.setRequestHeader('Authorization', auth);
        },
      });
      hls.on(Hls.Events.ERROR, (_, data) => {
        if (data.fatal && live()) recover(Hls, data);
      });
      hls.loadSource(url);
      hls.attachMedia(player);
    }

    function endHls() {
      if (hls) hls.destroy();
      hls = null;
    }

    /** A fatal hls.js error: recover the media, or reload the ladder where it was; else the file. */
    async function recover(Hls, data) {
      const started = hls && hls.levels && hls.levels.length > 0;
      if (!started || recoveries >= MAX_RECOVERIES) {
        endHls();
        playOriginal();
        return;
      }
      recoveries += 1;
      if (data.type === Hls.ErrorTypes.MEDIA_ERROR) {
        hls.recoverMediaError();
        return;
      }
      // Most likely expired: a segment's presigned URL (local) or the cookies (AWS). A fresh
      // answer renews the cookies; a new loader fetches the playlists (and their URLs) again.
      const at = player.currentTime;
      const playing = !player.paused;
      endHls();
      await renew();
      if (!live()) return;
      startHls(Hls, hlsUrl, at);
      if (playing) player.play().catch(() => {});
    }

    async function start() {
      const engine = video.hls ? hlsEngine() : null;
      if (!engine) {
        await playOriginal();
        return;
      }
      let answer = null;
      try {
        answer = await api('GET', playbackPath);
      } catch {
        answer = null;
      }
      if (!live()) return;
      if (!answer || typeof answer.url !== 'string') {
        await playOriginal();
        return;
      }
      if (answer.kind !== 'hls') {
        playFile(answer.url, true);
        return;
      }
      hlsUrl = answer.url;
      scheduleRenewal(answer.renew_after_seconds);
      if (engine === 'native') {
        mode = 'native';
        player.src = hlsUrl;
        return;
      }
      const Hls = await loadHls();
      if (!live()) return;
      if (Hls && Hls.isSupported()) {
        mode = 'hls.js';
        startHls(Hls, hlsUrl, 0);
      } else {
        await playOriginal();
      }
    }

    start();
    return () => {
      stopped = true;
      clearTimeout(renewTimer);
      endHls();
    };
  }

  /** GET /videos/{id} until its status changes: onChange(video), or onGone() on a 404. */
  function watchStatus(video, { api, alive }, onChange, onGone) {
    let delay = POLL.firstMs;
    let timer = null;
    let stopped = false;
    const live = () => !stopped && alive();
    const tick = async () => {
      if (!live()) return;
      try {
        let fresh = await api('GET', `/videos/${enc(video.id)}`);
        if (fresh && fresh.video && !fresh.id) fresh = fresh.video;
        if (!live()) return;
        if (fresh.status !== video.status) {
          onChange(fresh);
          return;
        }
      } catch (err) {
        if (!live()) return;
        if (err.status === 404) {
          onGone();
          return;
        }
        // Anything else (offline, 503): ask again later.
      }
      delay = Math.min(POLL.maxMs, delay * POLL.growth);
      timer = setTimeout(tick, delay);
    };
    timer = setTimeout(tick, delay);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }

  /** The message shown in the player's place; `role` is status or alert. */
  function message(status, role, ...lines) {
    return el('div', { className: `player-message player-${status}`, role, testid: 'player-status', 'data-status': status },
      ...lines.map((line) => (typeof line === 'string' ? el('p', null, line) : line)));
  }

  function failedMessage(video) {
    const reason = video.transcode && typeof video.transcode.error === 'string' && video.transcode.error.trim();
    return message('failed', 'alert',
      'This video could not be converted for playback.',
      reason ? el('p', { testid: 'transcode-error' }, `The converter reported: ${reason}`) : null,
      'Delete it, or upload it again as an H.264 MP4, which plays everywhere.');
  }

  /**
   * The player's place on the watch page. helpers: { api, mediaUrl(video, kind), alive(),
   * authorization() (the session's header value, or null), onPlayer(player, video) for the
   * view report, onChange(video) when the status changed while shown }.
   */
  function mount(video, helpers) {
    const wrap = el('div', { className: 'player-wrap' });
    // Announces a change (ready to play) that replaces what had the status role.
    const announce = el('p', { className: 'visually-hidden', role: 'status', testid: 'player-announce' });
    const node = el('div', { className: 'player-area' }, wrap, announce);
    let stopShown = () => {};

    function showPlayer(shown) {
      const player = el('video', {
        className: 'player', controls: '', preload: 'metadata', playsinline: '',
        'aria-label': `Video: ${shown.name}`, testid: 'video-player',
      });
      if (shown.width && shown.height) {
        player.width = shown.width;
        player.height = shown.height;
      }
      const playError = el('p', { className: 'player-message', role: 'alert', testid: 'player-error' },
        'This video could not be played.');
      playError.hidden = true;
      wrap.replaceChildren(player, playError);
      helpers.onPlayer(player, shown);
      if (shown.has_poster) {
        helpers.mediaUrl(shown, 'poster').then((url) => {
          if (helpers.alive() && url) player.poster = url;
        });
      }
      stopShown = feed(player, shown, helpers, () => {
        playError.hidden = false;
        player.hidden = true;
      });
    }

    function show(shown) {
      stopShown();
      stopShown = () => {};
      wrap.classList.toggle('player-wrap-message', shown.status !== 'ready');
      switch (shown.status) {
        case 'ready':
          showPlayer(shown);
          break;
        case 'processing':
          wrap.replaceChildren(message('processing', 'status',
            'Converting for playback on every device…',
            'It will play here as soon as it is ready; you can leave this page meanwhile.'));
          stopShown = watchStatus(shown, helpers, (fresh) => {
            show(fresh);
            if (fresh.status === 'ready') announce.textContent = `“${fresh.name}” is ready to play.`;
            helpers.onChange(fresh);
          }, () => {
            wrap.replaceChildren(message('gone', 'alert', 'This video was deleted.'));
          });
          break;
        case 'failed':
          wrap.replaceChildren(failedMessage(shown));
          break;
        case 'rejected':
          wrap.replaceChildren(message('rejected', 'status', 'This file was not accepted as a video.'));
          break;
        default:
          wrap.replaceChildren(message(shown.status || 'pending', 'status', 'The upload of this video has not finished.'));
      }
    }

    show(video);
    return { node, stop: () => stopShown() };
  }

  return { mount };
})();
