// vidlet — upload machinery: the record of unfinished uploads in localStorage, so that after
// a reload or in a new tab the same file can be picked again and only the missing parts sent.
// Loaded before upload.js; exposes window.vidlet.uploadPending.
'use strict';

window.vidlet = window.vidlet || {};

window.vidlet.uploadPending = (() => {
  /** A record another tab touched this recently is being uploaded there. */
  const LIVE_MS = 20000;
  const PENDING_KEY = 'vidlet.pendingUploads';
  const MAX_RECORDS = 10;

  // ---------------------------------------------------------------------------------------
  // The record of unfinished uploads (localStorage: it outlives the tab).

  /** This page load (a reload is another one: its pagehide marks its uploads as not live). */
  const TAB = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
  const tabId = () => TAB;

  const pending = {
    all() {
      try {
        const list = JSON.parse(localStorage.getItem(PENDING_KEY) || '[]');
        return Array.isArray(list)
          ? list.filter((r) => r && typeof r.videoId === 'string' && typeof r.username === 'string'
            && typeof r.fileName === 'string' && Number.isFinite(r.size))
          : [];
      } catch {
        return [];
      }
    },
    write(list) {
      try {
        if (list.length) localStorage.setItem(PENDING_KEY, JSON.stringify(list.slice(-MAX_RECORDS)));
        else localStorage.removeItem(PENDING_KEY);
      } catch {
        // storage full or disabled: resuming after a reload will not be offered
      }
    },
    save(record) {
      this.write([...this.all().filter((r) => r.videoId !== record.videoId), record]);
    },
    update(videoId, changes) {
      const list = this.all();
      const record = list.find((r) => r.videoId === videoId);
      if (!record) return;
      Object.assign(record, changes);
      this.write(list);
    },
    remove(videoId) {
      this.write(this.all().filter((r) => r.videoId !== videoId));
    },
    /** The user's unfinished uploads, newest first; `elsewhere` when another tab is sending it. */
    forUser(username) {
      const me = tabId();
      return this.all()
        .filter((r) => r.username === username)
        .map((r) => ({ ...r, elsewhere: r.tab !== me && Date.now() - (r.activeAt || 0) < LIVE_MS }))
        .reverse();
    },
  };

  /** The very file the upload started with (the browser cannot keep it across a reload). */
  function sameFile(record, file) {
    return Boolean(file) && file.name === record.fileName && file.size === record.size
      && file.lastModified === record.lastModified;
  }


  return { pending, sameFile, tabId };
})();
