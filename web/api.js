// vidlet — the API client (same-origin JSON, the server's own error messages), the session it
// sends, the device tokens kept per user name, and media URLs a signed-in owner may fetch.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { enc, formatWait } = vidlet;

  const SESSION_KEY = 'vidlet.session';

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
        vidlet.renderNav(); // page.js, loaded after this file
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

  Object.assign(vidlet, { devices, session, api, needsAuthorizedMedia, authorization, mediaUrl });
})();
