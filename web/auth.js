// vidlet — signing in, registering and logging out.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, h, pathTo, devices, session, api, renderNav, flash, showFormError, go, show } = vidlet;

  function renderAuth(ctx, mode) {
    const register = mode === 'register';
    const id = (s) => `${mode}-${s}`;
    const username = h('input', {
      type: 'text', id: id('username'), name: 'username', required: true,
      autocomplete: 'username', autocapitalize: 'none', autocorrect: 'off', spellcheck: 'false',
      minlength: register ? 3 : null, maxlength: 32, 'aria-describedby': register ? id('username-hint') : null,
      testid: id('username'),
    });
    const password = h('input', {
      type: 'password', id: id('password'), name: 'password', required: true,
      autocomplete: register ? 'new-password' : 'current-password',
      minlength: register ? 8 : null, maxlength: 128, 'aria-describedby': register ? id('password-hint') : null,
      testid: id('password'),
    });
    const error = h('p', { className: 'form-error', role: 'alert', testid: id('error'), hidden: true });
    const submit = h('button', { type: 'submit', className: 'button', testid: id('submit') }, register ? 'Create account' : 'Sign in');
    const keep = h('input', { type: 'checkbox', id: id('remember'), name: 'remember', testid: id('remember') });
    const form = h('form', { className: 'form', testid: id('form'), 'aria-labelledby': id('title') },
      h('div', { className: 'field' },
        h('label', { for: id('username') }, 'Username'),
        username,
        register ? h('p', { className: 'hint', id: id('username-hint') }, '3–32 characters: lowercase letters, digits, _ and -.') : null),
      h('div', { className: 'field' },
        h('label', { for: id('password') }, 'Password'),
        password,
        register ? h('p', { className: 'hint', id: id('password-hint') }, 'At least 8 characters.') : null),
      register ? null : h('div', { className: 'field field-inline' },
        keep,
        h('label', { for: id('remember') }, 'Keep me signed in on this device')),
      error,
      h('div', { className: 'form-actions' }, submit));

    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      showFormError(error, '');
      submit.disabled = true;
      try {
        const credentials = { username: username.value.trim(), password: password.value };
        const deviceToken = register ? undefined : devices.tokenFor(credentials.username);
        if (deviceToken) credentials.device_token = deviceToken;
        const remember = !register && keep.checked;
        if (remember) credentials.remember = true;
        const body = await api('POST', register ? '/users' : '/sessions', credentials);
        if (!ctx.alive()) return;
        devices.remember(body);
        session.set(body, remember);
        flash(register ? `Welcome, ${body.user.username}! Your account is ready.` : `Signed in as ${body.user.username}.`);
        const target = state.returnTo || pathTo();
        state.returnTo = null;
        go(target);
      } catch (err) {
        if (!ctx.alive()) return;
        showFormError(error, err.message);
        password.value = '';
        password.focus();
      } finally {
        submit.disabled = false;
      }
    });

    show(h('section', { className: 'panel narrow', testid: `${mode}-page` },
      h('h1', { id: id('title') }, register ? 'Create an account' : 'Sign in'),
      form,
      h('p', { className: 'switch-link' },
        register ? 'Already have an account? ' : 'New to vidlet? ',
        h('a', { href: register ? pathTo('signin') : pathTo('register') }, register ? 'Sign in' : 'Register'))));
    if (!session.username()) username.focus({ preventScroll: true });
  }

  function requireSignIn(target) {
    state.returnTo = target;
    flash('Please sign in first.', 'error');
    go(pathTo('signin'));
  }

  async function logout() {
    // An upload of this tab stops; its record stays, to be resumed after signing in again.
    if (state.currentJob) state.currentJob.abandon();
    const s = session.get();
    if (s) {
      try {
        await api('DELETE', '/sessions/current');
      } catch {
        // the session is forgotten locally whatever the server says
      }
    }
    session.clear();
    renderNav();
    flash('You are signed out.');
    go(pathTo());
  }

  Object.assign(vidlet, { renderAuth, requireSignIn, logout });
})();
