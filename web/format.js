// vidlet — formatting in the person's locale: dates, counts, durations, sizes, waits.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { h } = vidlet;

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

  Object.assign(vidlet, {
    dateTimeFormat,
    numberFormat,
    percentFormat,
    timeElement,
    formatViews,
    formatDuration,
    formatBytes,
    formatTimeLeft,
    formatWait,
  });
})();
