// vidlet — the owner's edit dialog on the video page (PATCH /videos/{id}), loaded before the
// app's files (watch.js hands in its API client). Exposes window.vidletEdit.open(video, api,
// onSaved).
// A native <dialog> opened with showModal: focus moves into it and stays there, Escape closes
// it. User content goes in only as values and textContent, never as markup.
'use strict';

window.vidletEdit = (() => {
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'testid') node.dataset.testid = v;
      else if (k === 'text') node.textContent = v;
      else node.setAttribute(k, v);
    }
    node.append(...children.filter(Boolean));
    return node;
  }

  function field(id, label, control) {
    control.id = id;
    return el('div', { class: 'field' }, el('label', { for: id, text: label }), control);
  }

  /** Sends only what changed; resolves once saved (onSaved gets the video) or closed. */
  function open(video, api, onSaved) {
    const name = el('input', { type: 'text', required: '', maxlength: '200', testid: 'edit-name' });
    name.value = video.name;
    const description = el('textarea', { rows: '4', maxlength: '5000', testid: 'edit-description' });
    description.value = video.description || '';
    const privacy = el('select', { testid: 'edit-privacy' },
      ...[['public', 'Public: in the feed and on your page'], ['unlisted', 'Unlisted: only with the link'],
        ['private', 'Private: only you']].map(([value, text]) => el('option', { value, text })));
    privacy.value = video.privacy;
    const error = el('p', { class: 'form-error', role: 'alert', testid: 'edit-error', hidden: '' });
    const save = el('button', { type: 'submit', class: 'button', testid: 'edit-save', text: 'Save' });
    const cancel = el('button', { type: 'button', class: 'button button-ghost', testid: 'edit-cancel', text: 'Cancel' });
    const form = el('form', null,
      el('h2', { id: 'edit-title', text: 'Edit video' }),
      field('edit-name-input', 'Title', name),
      field('edit-description-input', 'Description', description),
      field('edit-privacy-input', 'Who can see it', privacy),
      error, el('div', { class: 'dialog-actions' }, cancel, save));
    const dialog = el('dialog', { class: 'confirm-dialog', 'aria-labelledby': 'edit-title', testid: 'edit-dialog' }, form);
    dialog.addEventListener('close', () => dialog.remove());
    cancel.addEventListener('click', () => dialog.close());
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      const body = {};
      if (name.value.trim() !== video.name) body.name = name.value;
      if (description.value.trim() !== (video.description || '')) body.description = description.value;
      if (privacy.value !== video.privacy) body.privacy = privacy.value;
      if (Object.keys(body).length === 0) { dialog.close(); return; }
      save.disabled = true;
      error.hidden = true;
      try {
        const saved = await api('PATCH', `/videos/${encodeURIComponent(video.id)}`, body);
        dialog.close();
        onSaved(saved);
      } catch (err) {
        error.textContent = err.message || 'Could not save the changes.';
        error.hidden = false;
        save.disabled = false;
      }
    });
    document.body.append(dialog);
    dialog.showModal();
    name.focus();
  }

  return { open };
})();
