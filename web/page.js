// vidlet — the page around the views: the header's navigation, flash messages, the confirm
// dialog and form error lines.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { $, pathTo, session } = vidlet;

  function renderNav() {
    const name = session.username();
    $('[data-testid="nav-anonymous"]').hidden = Boolean(name);
    $('[data-testid="nav-signed-in"]').hidden = !name;
    $('[data-testid="nav-username"]').textContent = name || '';
    $('[data-testid="nav-my-videos"]').href = name ? pathTo('u', name) : pathTo();
  }

  let flashTimer = null;
  function flash(message, kind = 'success') {
    const el = $('[data-testid="flash"]');
    el.textContent = message;
    el.classList.toggle('flash-error', kind === 'error');
    el.hidden = false;
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => {
      el.hidden = true;
    }, 6000);
  }

  function confirmDialog(message, okLabel) {
    const dialog = $('[data-testid="confirm-dialog"]');
    $('[data-testid="confirm-message"]').textContent = message;
    $('[data-testid="confirm-ok"]').textContent = okLabel;
    if (typeof dialog.showModal !== 'function') return Promise.resolve(window.confirm(message));
    return new Promise((resolve) => {
      dialog.returnValue = '';
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
    });
  }

  function showFormError(el, message) {
    el.textContent = message;
    el.hidden = !message;
  }

  Object.assign(vidlet, { renderNav, flash, confirmDialog, showFormError });
})();
