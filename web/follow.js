// vidlet — following: the Follow/Following toggle (PUT and DELETE /users/{name}/follow) on a
// user's page and beside a video's owner, and the "Following" feed (GET /feed/following).
// Loaded before the app's files, which hand in their API client and list helper. Exposes
// window.vidletFollow.button(username, api) and .feed(ctx, me, videoList).
// User content goes in only as textContent, never as markup.
'use strict';

window.vidletFollow = (() => {
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

  const path = (username) => `/users/${encodeURIComponent(username)}/follow`;

  /**
   * A toggle (aria-pressed): "Follow" or "Following". It reads whether the caller follows
   * `username` first (GET /me/following?username=), disabled until then. PUT and DELETE are
   * idempotent, so a retry after an error is safe.
   */
  function button(username, api) {
    let following = false;
    const label = el('span', { text: 'Follow' });
    const toggle = el('button', {
      type: 'button', class: 'button button-ghost button-small follow-button', testid: 'follow-button',
      'aria-pressed': 'false', disabled: '',
    }, label);
    toggle.append(el('span', { class: 'visually-hidden', text: ` ${username}` }));
    const error = el('span', { class: 'form-error', role: 'alert', testid: 'follow-error' });
    const render = () => {
      toggle.setAttribute('aria-pressed', String(following));
      label.textContent = following ? 'Following' : 'Follow';
    };
    api('GET', `/me/following?${new URLSearchParams({ username })}`)
      .then((data) => {
        following = (data.following || []).length > 0;
        render();
      })
      .catch((err) => { error.textContent = `Could not read whether you follow ${username}: ${err.message}`; })
      .finally(() => { toggle.disabled = false; });
    toggle.addEventListener('click', async () => {
      toggle.disabled = true;
      error.textContent = '';
      try {
        await api(following ? 'DELETE' : 'PUT', path(username));
        following = !following;
        render();
      } catch (err) {
        error.textContent = err.message;
      } finally {
        toggle.disabled = false;
        toggle.focus();
      }
    });
    return el('span', { class: 'follow-row' }, toggle, error);
  }

  /** The "Following" view: the newest public videos of whom `me` follows. */
  function feed(ctx, me, videoList) {
    if (!me) {
      return el('section', { class: 'panel', testid: 'following-feed' },
        el('h1', { text: 'Following' }),
        el('p', null, el('a', { href: '/signin', text: 'Sign in' }),
          ' to see the new videos of the people you follow.'));
    }
    const { node } = videoList(ctx, '/feed/following',
      'No videos here yet. Follow people from their page or their videos to see what they share.');
    return el('section', { testid: 'following-feed' },
      el('div', { class: 'page-head' }, el('h1', { text: 'Following' })),
      node);
  }

  return { button, feed };
})();
