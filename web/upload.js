// vidlet — the upload machinery, loaded before app.js (which draws the views and hands in its
// API client). Exposes window.vidletUpload.
//
//   * A video goes to S3 as a multipart upload that the server creates and completes: the
//     browser asks the API for presigned part URLs and PUTs each part's bytes straight to S3,
//     4 parts at a time, retrying a failed part with exponential backoff (with a fresh URL
//     when S3 answers 403 or the URL is about to expire). Pause aborts the parts in flight;
//     Resume sends them again; Cancel aborts everything and deletes the pending video.
//   * An unfinished upload is remembered in localStorage, so that after a reload or in a new
//     tab the person can pick the same file again and send only the parts S3 does not hold.
//   * The poster is a frame of the chosen file, captured in the browser and PUT with exactly
//     the headers the server signed (If-None-Match: * among them).
// No user content goes into markup here: this file builds no DOM of the page at all.
'use strict';

window.vidletUpload = (() => {
  const CONCURRENCY = 4;
  /** Tries of one part in one run, the first included. */
  const MAX_ATTEMPTS = 6;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  /** Part URLs asked for in one call (the server allows up to 100; they expire in minutes). */
  const URL_BATCH = 16;
  /** Rounds of "complete → parts missing → send them" before giving up. */
  const COMPLETE_ROUNDS = 3;
  const SPEED_WINDOW_MS = 8000;
  const HEARTBEAT_MS = 5000;
  /** A record another tab touched this recently is being uploaded there. */
  const LIVE_MS = 20000;
  const PENDING_KEY = 'vidlet.pendingUploads';
  const MAX_RECORDS = 10;
  const MAX_POSTER_BYTES = 2 * 1024 * 1024;
  const POSTER_MAX_WIDTH = 640;
  const POSTER_TIMEOUT_MS = 15000;

  const enc = encodeURIComponent;
  const abortError = () => new DOMException('The upload was cancelled.', 'AbortError');
  const isAbort = (err) => Boolean(err) && err.name === 'AbortError';

  class UploadError extends Error {
    constructor(message, status = 0, code = '') {
      super(message);
      this.name = 'UploadError';
      this.status = status; // HTTP status from storage; 0 for a network error
      this.code = code; // S3's error code, e.g. "NoSuchUpload"
    }
  }

  // ---------------------------------------------------------------------------------------
  // One PUT to a presigned URL, with XMLHttpRequest (fetch has no upload progress).

  /** Request headers a script may not set: the browser sets them itself (Fetch standard). */
  const FORBIDDEN_HEADERS = new Set([
    'accept-charset', 'accept-encoding', 'access-control-request-headers', 'access-control-request-method',
    'connection', 'content-length', 'cookie', 'cookie2', 'date', 'dnt', 'expect', 'host', 'keep-alive',
    'origin', 'referer', 'set-cookie', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'via',
  ]);

  function browserMaySet(name) {
    const lower = name.toLowerCase();
    return !FORBIDDEN_HEADERS.has(lower) && !lower.startsWith('proxy-') && !lower.startsWith('sec-');
  }

  /**
   * PUTs `body` to `target` ({url, method, headers}) with every signed header the browser lets
   * a script set. onProgress(bytesSent) follows xhr.upload. Returns { promise, abort }.
   */
  function put(target, body, onProgress) {
    const xhr = new XMLHttpRequest();
    const promise = new Promise((resolve, reject) => {
      xhr.open(target.method || 'PUT', target.url, true);
      for (const [name, value] of Object.entries(target.headers || {})) {
        if (browserMaySet(name)) xhr.setRequestHeader(name, String(value));
      }
      if (onProgress) xhr.upload.addEventListener('progress', (e) => onProgress(e.loaded));
      xhr.addEventListener('load', () => {
        if (xhr.status >= 200 && xhr.status < 300) resolve();
        else reject(storageRefusal(xhr));
      });
      xhr.addEventListener('error', () => reject(new UploadError(
        'The file could not be sent to storage (network error or the storage refused the request).')));
      xhr.addEventListener('timeout', () => reject(new UploadError('Sending the file timed out.')));
      xhr.addEventListener('abort', () => reject(abortError()));
      xhr.send(body);
    });
    return { promise, abort: () => xhr.abort() };
  }

  /** S3 answers errors in XML: <Error><Code>…</Code><Message>…</Message></Error>. */
  function storageRefusal(xhr) {
    let code = '';
    let message = '';
    try {
      const doc = new DOMParser().parseFromString(xhr.responseText || '', 'application/xml');
      code = (doc.querySelector('Error > Code') || {}).textContent || '';
      message = (doc.querySelector('Error > Message') || {}).textContent || '';
    } catch {
      // not XML: the status says enough
    }
    const detail = [code, message].filter(Boolean).join(': ');
    return new UploadError(`Storage refused the file (HTTP ${xhr.status}${detail ? ` — ${detail}` : ''}).`, xhr.status, code);
  }

  /** Worth another try: network trouble, throttling, server errors, an expired or refused link. */
  function retryable(err) {
    if (!err || isAbort(err)) return false;
    const s = err.status;
    if (err instanceof UploadError) {
      return s === 0 || s === 403 || s === 408 || s === 429 || s >= 500 || (s === 400 && err.code === 'RequestTimeout');
    }
    if (err.name === 'ApiError') return s === 0 || s === 429 || s >= 500;
    return false;
  }

  function backoff(attempt) {
    const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** (attempt - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  // ---------------------------------------------------------------------------------------
  // The parts of one run: a queue, CONCURRENCY workers, pause / resume / cancel.

  class PartSender {
    constructor({ api, videoId, file, partSize, onProgress, onRetry }) {
      Object.assign(this, { api, videoId, file, partSize, onProgress, onRetry });
      this.urls = new Map(); // part number → { url, method, headers, freshUntil }
      this.urlRequest = null;
      this.queue = [];
      this.inflight = new Map(); // part number → { abort }
      this.partial = new Map(); // part number → bytes of it sent so far
      this.sleepers = new Set();
      this.doneBytes = 0;
      this.running = 0;
      this.paused = false;
      this.stopped = false;
      this.settle = null;
    }

    partRange(n) {
      const start = (n - 1) * this.partSize;
      return [start, Math.min(this.file.size, start + this.partSize)];
    }

    sentBytes() {
      let sent = this.doneBytes;
      for (const bytes of this.partial.values()) sent += bytes;
      return sent;
    }

    /** Resolves once every part of `parts` is stored; stays pending while paused. */
    send(parts) {
      this.queue = [...parts].sort((a, b) => a - b);
      return new Promise((resolve, reject) => {
        this.settle = { resolve, reject };
        this.pump();
      });
    }

    pump() {
      if (this.stopped || this.paused) return;
      if (this.queue.length === 0 && this.running === 0) {
        this.settle.resolve();
        return;
      }
      while (this.running < CONCURRENCY && this.queue.length > 0) {
        const n = this.queue.shift();
        this.running += 1;
        this.sendPart(n)
          .catch((err) => {
            if (this.stopped) return;
            if (this.paused && isAbort(err)) {
              this.queue.push(n); // sent again on resume
              this.queue.sort((a, b) => a - b);
              return;
            }
            this.fail(err);
          })
          .finally(() => {
            this.running -= 1;
            this.pump();
          });
      }
    }

    checkGoing() {
      if (this.stopped || this.paused) throw abortError();
    }

    async sendPart(n) {
      const [start, end] = this.partRange(n);
      for (let attempt = 1; ; attempt += 1) {
        this.checkGoing();
        try {
          const target = await this.urlFor(n);
          this.checkGoing();
          const request = put(target, this.file.slice(start, end), (loaded) => {
            // All bytes sent is not stored yet: the part counts in full once S3 answers.
            this.partial.set(n, Math.min(loaded, end - start - 1));
            this.onProgress();
          });
          this.inflight.set(n, request);
          await request.promise;
          this.inflight.delete(n);
          this.partial.delete(n);
          this.doneBytes += end - start;
          this.onProgress();
          return;
        } catch (err) {
          this.inflight.delete(n);
          if (this.partial.delete(n)) this.onProgress();
          if (isAbort(err) || this.stopped || !retryable(err) || attempt >= MAX_ATTEMPTS) throw err;
          if (err.status === 403) this.urls.delete(n); // expired or refused: ask for a fresh URL
          const delay = backoff(attempt);
          this.onRetry(n, delay, err);
          await this.sleep(delay);
        }
      }
    }

    fresh(n) {
      const u = this.urls.get(n);
      return Boolean(u) && (u.freshUntil === null || Date.now() < u.freshUntil);
    }

    /** The part's URL, asking the API for a batch (this part and the next ones) when needed. */
    async urlFor(n) {
      for (let round = 0; round < 3; round += 1) {
        if (this.fresh(n)) return this.urls.get(n);
        if (!this.urlRequest) {
          const wanted = [n, ...this.queue.filter((p) => p !== n && !this.fresh(p))].slice(0, URL_BATCH);
          this.urlRequest = this.api('POST', `/videos/${enc(this.videoId)}/upload/parts`, { part_numbers: wanted })
            .then((res) => this.keepUrls(res))
            .finally(() => { this.urlRequest = null; });
        }
        await this.urlRequest;
      }
      if (this.fresh(n)) return this.urls.get(n);
      throw new UploadError(`The server gave no upload link for part ${n}.`);
    }

    keepUrls(res) {
      const now = Date.now();
      for (const p of (res && res.parts) || []) {
        // Use a URL until a little before it expires; a clock that disagrees with the
        // server's (expiry already past) leaves it to S3's 403 to say when.
        const lifetime = Date.parse(p.expires_at) - now;
        const freshUntil = lifetime > 0 ? now + lifetime - Math.min(60000, lifetime * 0.2) : null;
        this.urls.set(p.part_number, { url: p.url, method: p.method || 'PUT', headers: p.headers || {}, freshUntil });
      }
    }

    sleep(ms) {
      return new Promise((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.sleepers.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, ms);
        this.sleepers.add(wake);
      });
    }

    halt() {
      for (const request of [...this.inflight.values()]) request.abort();
      for (const wake of [...this.sleepers]) wake();
    }

    pause() {
      if (this.stopped || this.paused) return;
      this.paused = true;
      this.halt();
    }

    resume() {
      if (this.stopped || !this.paused) return;
      this.paused = false;
      this.pump();
    }

    cancel() {
      if (this.stopped) return;
      this.stopped = true;
      this.halt();
      if (this.settle) this.settle.reject(abortError());
    }

    fail(err) {
      this.stopped = true;
      this.halt();
      this.settle.reject(err);
    }
  }

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

  /** The numbers in "parts missing: 2, 3" (422 from /complete), or null for another 422. */
  function missingParts(err, partCount) {
    if (!err || err.status !== 422 || typeof err.message !== 'string') return null;
    const at = err.message.search(/missing/i);
    if (at < 0) return null;
    const numbers = (err.message.slice(at).match(/\d+/g) || []).map(Number).filter((n) => n >= 1 && n <= partCount);
    return numbers.length ? [...new Set(numbers)] : null;
  }

  // ---------------------------------------------------------------------------------------
  // One upload, from POST /videos (or a record) to the poster.

  const liveJobs = new Set();
  window.addEventListener('pagehide', () => {
    // This tab no longer sends them: another tab may offer to resume at once.
    for (const job of liveJobs) if (job.video) pending.update(job.video.id, { activeAt: 0 });
  });

  /**
   * States: preparing → (checking →) sending ⇄ paused → completing → poster → done;
   * or failed (`retryable` says whether retryNow() may go on), cancelled, or abandoned (logout).
   * Read `sent`, `total`, `speed()`, `secondsLeft()`, `error`, `retry` (the part waiting to
   * be tried again) from a subscriber, called on every change.
   */
  class UploadJob {
    constructor({ api, file, username }) {
      this.api = api;
      this.file = file;
      this.username = username;
      this.total = file.size;
      this.state = 'idle';
      this.video = null;
      this.plan = null;
      this.held = 0; // bytes S3 held before the current run
      this.sender = null;
      this.error = null;
      this.retryable = false;
      this.retry = null;
      this.samples = [];
      this.listeners = new Set();
      this.heartbeat = null;
      this.posterPromise = null;
      this.fields = null;
    }

    subscribe(fn) {
      this.listeners.add(fn);
      return () => this.listeners.delete(fn);
    }

    emit() {
      for (const fn of [...this.listeners]) {
        try {
          fn(this);
        } catch (err) {
          console.error('vidlet: upload listener failed:', err);
        }
      }
    }

    setState(state) {
      this.state = state;
      if (state !== 'sending') this.retry = null;
      this.emit();
    }

    get sent() {
      return Math.min(this.total, this.held + (this.sender ? this.sender.sentBytes() : 0));
    }

    /** Bytes per second over the last few seconds of this run, or null. */
    speed() {
      if (this.state !== 'sending' || this.samples.length < 2) return null;
      const first = this.samples[0];
      const last = this.samples[this.samples.length - 1];
      const seconds = (last.t - first.t) / 1000;
      return seconds >= 1 && last.bytes > first.bytes ? (last.bytes - first.bytes) / seconds : null;
    }

    secondsLeft() {
      const speed = this.speed();
      return speed ? (this.total - this.sent) / speed : null;
    }

    progressed() {
      const now = Date.now();
      const bytes = this.sender ? this.sender.sentBytes() : 0;
      const last = this.samples[this.samples.length - 1];
      if (last && bytes < last.bytes) this.samples = []; // a part started over
      if (last && bytes > last.bytes) this.retry = null; // bytes flow again
      this.samples.push({ t: now, bytes });
      while (this.samples.length > 2 && now - this.samples[1].t > SPEED_WINDOW_MS) this.samples.shift();
      this.emit();
    }

    /** A new upload: creates the video, remembers it, sends every part, completes. */
    async start({ name, description, privacy, contentType }) {
      liveJobs.add(this);
      this.fields = { name, description, privacy };
      this.posterPromise = capturePoster(this.file); // in parallel with the upload
      this.setState('preparing');
      try {
        const body = { name, content_type: contentType, size: this.file.size, privacy };
        if (description) body.description = description;
        const created = await this.api('POST', '/videos', body);
        this.video = created.video;
        this.plan = { partSize: created.upload.part_size, partCount: created.upload.part_count };
        pending.save({
          videoId: this.video.id, username: this.username,
          fileName: this.file.name, size: this.file.size, lastModified: this.file.lastModified, type: contentType,
          name, description: description || '', privacy,
          partSize: this.plan.partSize, partCount: this.plan.partCount,
          createdAt: Date.now(), tab: tabId(), activeAt: Date.now(), sent: 0,
        });
        if (this.state === 'cancelled') {
          await this.discard(); // Cancel was pressed while the video was being created
          return;
        }
        await this.send(Array.from({ length: this.plan.partCount }, (_, i) => i + 1));
        await this.finish();
      } catch (err) {
        this.failed(err);
      }
    }

    /** Goes on with a remembered upload, `file` being the same file picked again. */
    async resume(record) {
      liveJobs.add(this);
      this.video = { id: record.videoId, name: record.name };
      this.fields = { name: record.name, description: record.description, privacy: record.privacy };
      this.plan = { partSize: record.partSize, partCount: record.partCount };
      this.posterPromise = capturePoster(this.file);
      pending.update(record.videoId, { tab: tabId(), activeAt: Date.now() });
      await this.continueUpload();
    }

    /** After a failure that left the upload resumable: ask S3 what it holds and go on. */
    retryNow() {
      if (this.state !== 'failed' || !this.retryable) return;
      liveJobs.add(this);
      this.error = null;
      this.continueUpload();
    }

    async continueUpload() {
      try {
        this.setState('checking');
        const status = await this.api('GET', `/videos/${enc(this.video.id)}/upload`);
        if (this.state !== 'checking') return; // cancelled meanwhile
        this.plan = { partSize: status.part_size, partCount: status.part_count };
        const [partSize, count, size] = [status.part_size, status.part_count, this.total];
        const expected = (n) => (n < count ? partSize : size - (count - 1) * partSize);
        const held = new Set((status.parts || []).filter((p) => p.size === expected(p.part_number)).map((p) => p.part_number));
        const missing = Array.from({ length: count }, (_, i) => i + 1).filter((n) => !held.has(n));
        if (missing.length) await this.send(missing);
        await this.finish();
      } catch (err) {
        this.failed(err);
      }
    }

    /** Sends `parts` (the others being held by S3); resolves when all are stored. */
    async send(parts) {
      const { partSize } = this.plan;
      const bytesOf = (n) => Math.min(this.total, n * partSize) - (n - 1) * partSize;
      this.held = this.total - parts.reduce((sum, n) => sum + bytesOf(n), 0);
      this.sender = new PartSender({
        api: this.api, videoId: this.video.id, file: this.file, partSize,
        onProgress: () => this.progressed(),
        onRetry: (part, delay, err) => {
          this.retry = { part, seconds: Math.ceil(delay / 1000), message: err.message };
          this.emit();
        },
      });
      this.samples = [];
      this.startHeartbeat();
      this.setState('sending');
      await this.sender.send(parts);
      this.held = this.total;
      this.sender = null;
    }

    pause() {
      if (this.state !== 'sending' || !this.sender) return;
      this.sender.pause();
      this.samples = [];
      this.setState('paused');
      pending.update(this.video.id, { sent: this.sent });
    }

    unpause() {
      if (this.state !== 'paused' || !this.sender) return;
      this.samples = [];
      this.setState('sending');
      this.sender.resume();
    }

    /** Stops, deletes the pending video (and its parts), forgets the record. */
    async cancel() {
      if (['completing', 'poster', 'done', 'cancelled'].includes(this.state)) return;
      this.setState('cancelled');
      this.stop();
      if (this.video) await this.discard();
    }

    /** Stops without deleting anything (logging out): the upload can be resumed later. */
    abandon() {
      if (['done', 'cancelled', 'failed'].includes(this.state)) return;
      this.setState('abandoned');
      this.stop();
      if (this.video) pending.update(this.video.id, { activeAt: 0, sent: this.sent });
    }

    stop() {
      if (this.sender) this.sender.cancel();
      this.stopHeartbeat();
      liveJobs.delete(this);
    }

    async discard() {
      const id = this.video.id;
      pending.remove(id);
      try {
        await this.api('DELETE', `/videos/${enc(id)}`);
      } catch {
        // already gone, or the server's expiry will remove it
      }
    }

    async finish() {
      this.setState('completing');
      let done = null;
      for (let round = 1; !done; round += 1) {
        try {
          done = await this.api('POST', `/videos/${enc(this.video.id)}/complete`);
        } catch (err) {
          const missing = missingParts(err, this.plan.partCount);
          if (!missing || round >= COMPLETE_ROUNDS) throw err;
          await this.send(missing); // the video stays pending: send what S3 lacks, complete again
          this.setState('completing');
        }
      }
      this.stopHeartbeat();
      pending.remove(this.video.id);
      this.video = (done && done.video) || this.video;
      this.setState('poster');
      const withPoster = await withTimeout(uploadPoster(this.api, this.video.id, this.posterPromise), POSTER_TIMEOUT_MS * 2, null);
      if (withPoster && withPoster.video) this.video = withPoster.video;
      liveJobs.delete(this);
      this.setState('done');
    }

    failed(err) {
      if (this.state === 'cancelled' || this.state === 'abandoned') return;
      this.stopHeartbeat();
      liveJobs.delete(this);
      if (this.sender) {
        this.held += this.sender.doneBytes; // what S3 is known to hold
        this.sender.cancel();
        this.sender = null;
      }
      const id = this.video && this.video.id;
      // Final: the video is gone or not pending (404, 409), was rejected (422 other than
      // missing parts), or S3 no longer has the multipart upload (NoSuchUpload).
      const rejected = err.status === 422 && !(this.plan && missingParts(err, this.plan.partCount));
      const final = Boolean(id) && (err.status === 404 || err.status === 409 || rejected
        || (err instanceof UploadError && err.status === 404));
      if (final) pending.remove(id);
      else if (id) pending.update(id, { activeAt: 0 });
      this.retryable = Boolean(id) && !final && err.status !== 401;
      this.error = err;
      this.setState('failed');
    }

    startHeartbeat() {
      if (this.heartbeat) return;
      this.heartbeat = setInterval(() => {
        pending.update(this.video.id, { tab: tabId(), activeAt: Date.now(), sent: this.sent });
      }, HEARTBEAT_MS);
    }

    stopHeartbeat() {
      clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
  }

  // ---------------------------------------------------------------------------------------
  // Poster: a frame of the chosen file, captured in the browser.

  function capturePoster(file) {
    return new Promise((resolve) => {
      const url = URL.createObjectURL(file);
      const video = document.createElement('video');
      video.muted = true;
      video.playsInline = true;
      video.preload = 'auto';
      let done = false;
      const finish = (blob) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        video.removeAttribute('src');
        video.load();
        URL.revokeObjectURL(url);
        resolve(blob);
      };
      const timer = setTimeout(() => finish(null), POSTER_TIMEOUT_MS);
      const draw = () => {
        const w = video.videoWidth;
        const hgt = video.videoHeight;
        if (!w || !hgt) return finish(null);
        const scale = Math.min(1, POSTER_MAX_WIDTH / w);
        const canvas = document.createElement('canvas');
        canvas.width = Math.max(1, Math.round(w * scale));
        canvas.height = Math.max(1, Math.round(hgt * scale));
        try {
          canvas.getContext('2d').drawImage(video, 0, 0, canvas.width, canvas.height);
          canvas.toBlob((blob) => finish(blob && blob.size > 0 && blob.size <= MAX_POSTER_BYTES ? blob : null), 'image/jpeg', 0.8);
        } catch {
          finish(null);
        }
      };
      video.addEventListener('error', () => finish(null));
      video.addEventListener('loadedmetadata', () => {
        const d = video.duration;
        // About 1 s in (or 10 % of a long video), never past the end of a short one.
        let t = 0;
        if (Number.isFinite(d) && d > 0) t = d >= 10 ? Math.min(d * 0.1, 60) : Math.min(1, d / 2);
        if (t > 0) {
          video.addEventListener('seeked', draw, { once: true });
          video.currentTime = t;
        } else if (video.readyState >= 2) {
          draw();
        } else {
          video.addEventListener('loadeddata', draw, { once: true });
        }
      });
      video.src = url;
    });
  }

  /**
   * Asks for a poster upload, PUTs the frame, then confirms it: only the confirmed poster is
   * shown. Answers the video with its poster, or null. Poster failures never fail the upload:
   * they are only logged.
   */
  async function uploadPoster(api, videoId, posterPromise) {
    try {
      const blob = await posterPromise;
      if (!blob) return null;
      const res = await api('POST', `/videos/${enc(videoId)}/poster`, { content_type: 'image/jpeg', size: blob.size });
      await put(res.upload, blob, null).promise; // its headers include If-None-Match: *
      return await api('POST', `/videos/${enc(videoId)}/poster/complete`);
    } catch (err) {
      console.warn('vidlet: the poster was not saved:', err && err.message);
      return null;
    }
  }

  function withTimeout(promise, ms, fallback) {
    return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(fallback), ms))]);
  }

  return { UploadJob, pending, sameFile };
})();
