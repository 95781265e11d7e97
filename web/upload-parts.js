// vidlet — upload machinery: sending a video's parts to S3 through presigned URLs, 4 at a
// time, each retried with exponential backoff (a fresh URL after S3's 403 or near expiry);
// pause, resume and cancel. Loaded before upload.js; exposes window.vidlet.uploadParts.
'use strict';

window.vidlet = window.vidlet || {};

window.vidlet.uploadParts = (() => {
  const CONCURRENCY = 4;
  /** Tries of one part in one run, the first included. */
  const MAX_ATTEMPTS = 6;
  const BACKOFF_FIRST_MS = 1000;
  const BACKOFF_MAX_MS = 30000;
  /** Part URLs asked for in one call (the server allows up to 100; they expire in minutes). */
  const URL_BATCH = 16;

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

  return { PartSender, put, UploadError };
})();
