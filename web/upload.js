// vidlet — the upload machinery's entry: one upload job, from POST /videos (or a remembered
// record) through its parts and /complete to the poster. Loaded after upload-parts.js,
// upload-pending.js and upload-poster.js, before app.js (which draws the views and hands in
// its API client). Exposes window.vidletUpload.
//
//   * A video goes to S3 as a multipart upload that the server creates and completes: the
//     browser asks the API for presigned part URLs and PUTs each part's bytes straight to S3
//     (upload-parts.js). Pause aborts the parts in flight; Resume sends them again; Cancel
//     aborts everything and deletes the pending video.
//   * An unfinished upload is remembered in localStorage (upload-pending.js), so that after a
//     reload or in a new tab the person can pick the same file again and send only the parts
//     S3 does not hold.
//   * The poster is a frame of the chosen file (upload-poster.js).
// No user content goes into markup here: these files build no DOM of the page at all.
'use strict';

window.vidletUpload = (() => {
  const { PartSender, UploadError } = window.vidlet.uploadParts;
  const { pending, sameFile, tabId } = window.vidlet.uploadPending;
  const { capturePoster, uploadPoster, POSTER_TIMEOUT_MS } = window.vidlet.uploadPoster;

  /** Rounds of "complete → parts missing → send them" before giving up. */
  const COMPLETE_ROUNDS = 3;
  const SPEED_WINDOW_MS = 8000;
  const HEARTBEAT_MS = 5000;

  const enc = encodeURIComponent;

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

  function withTimeout(promise, ms, fallback) {
    return Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(fallback), ms))]);
  }

  return { UploadJob, pending, sameFile };
})();
