// vidlet — upload machinery: the poster, a frame of the chosen file captured in the browser
// and PUT with exactly the headers the server signed (If-None-Match: * among them).
// Loaded after upload-parts.js, before upload.js; exposes window.vidlet.uploadPoster.
'use strict';

window.vidlet = window.vidlet || {};

window.vidlet.uploadPoster = (() => {
  const { put } = window.vidlet.uploadParts;
  const MAX_POSTER_BYTES = 2 * 1024 * 1024;
  const POSTER_MAX_WIDTH = 640;
  const POSTER_TIMEOUT_MS = 15000;

  const enc = encodeURIComponent;

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

  return { capturePoster, uploadPoster, POSTER_TIMEOUT_MS };
})();
