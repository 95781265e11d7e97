// vidlet — the video page's Share control, loaded before the app's files. Exposes
// window.vidletShare.control(path): a Share button that copies the page's address (its
// /v/<id> path on this origin) with navigator.clipboard, and always shows it in a read-only,
// selected field too, so it can be copied by hand where the clipboard is unavailable.
'use strict';

window.vidletShare = (() => {
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'testid') node.dataset.testid = v;
      else if (k === 'className') node.className = v;
      else node.setAttribute(k, v);
    }
    if (text) node.textContent = text;
    return node;
  }

  async function copy(text) {
    if (!navigator.clipboard || !window.isSecureContext) return false;
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      return false; // denied, or the document lost focus
    }
  }

  function control(path) {
    const url = new URL(path, location.origin).href;
    const button = el('button', {
      type: 'button', className: 'button button-ghost button-small', testid: 'share-button',
      'aria-controls': 'share-url', 'aria-expanded': 'false',
    }, 'Share');
    const field = el('input', {
      type: 'text', id: 'share-url', className: 'share-url', readonly: '', testid: 'share-url',
      'aria-label': 'Link to this video',
    });
    field.value = url;
    field.hidden = true;
    field.addEventListener('focus', () => field.select());
    const status = el('span', { className: 'share-status', role: 'status', testid: 'share-status' });
    button.addEventListener('click', async () => {
      field.hidden = false;
      button.setAttribute('aria-expanded', 'true');
      const copied = await copy(url);
      status.textContent = copied ? 'Link copied.' : 'Copy the link from the field.';
      if (!copied) {
        field.focus();
        field.select();
      }
    });
    const wrap = el('div', { className: 'share', testid: 'share' });
    wrap.append(button, status, field);
    return wrap;
  }

  return { control };
})();
