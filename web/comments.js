// vidlet — a video's comments: the paged list, posting one, and deleting (the author's or the
// video owner's).
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, h, $, enc, pathTo, session, api, timeElement, flash, confirmDialog, showFormError } = vidlet;

  const COMMENT_PAGE_SIZE = 20;

  function commentsSection(ctx, video) {
    const me = session.username();
    const list = h('ol', { className: 'comment-list', testid: 'comment-list' });
    const empty = h('p', { className: 'empty', testid: 'comments-empty', hidden: true }, 'No comments yet.');
    const loadError = h('p', { className: 'form-error', role: 'alert', testid: 'comments-error', hidden: true });
    const more = h('button', { type: 'button', className: 'button button-ghost', testid: 'load-more-comments', hidden: true }, 'Load more comments');
    const seen = new Set();
    let cursor = null;

    const updateEmpty = () => {
      empty.hidden = list.children.length > 0;
    };

    function commentItem(comment) {
      const canDelete = me && (comment.author === me || video.owner === me);
      const item = h('li', { className: 'comment', testid: 'comment', dataset: { commentId: comment.id } },
        h('div', { className: 'comment-head' },
          h('a', { className: 'comment-author', href: pathTo('u', comment.author), testid: 'comment-author' }, comment.author),
          h('span', { className: 'comment-time' }, timeElement(comment.created_at, true)),
          canDelete ? h('button', {
            type: 'button', className: 'button button-ghost button-small', testid: 'comment-delete',
            'aria-label': `Delete comment by ${comment.author}`,
          }, 'Delete') : null),
        h('p', { className: 'comment-content', testid: 'comment-content' }, comment.content));
      if (canDelete) {
        $('[data-testid="comment-delete"]', item).addEventListener('click', async (e) => {
          const button = e.currentTarget;
          const ok = await confirmDialog('Delete this comment?', 'Delete comment');
          if (!ok) return;
          button.disabled = true;
          try {
            await api('DELETE', `/videos/${enc(video.id)}/comments/${enc(comment.id)}`);
            item.remove();
            updateEmpty();
            flash('Comment deleted.');
          } catch (err) {
            button.disabled = false;
            flash(`Could not delete the comment: ${err.message}`, 'error');
          }
        });
      }
      return item;
    }

    async function load() {
      more.disabled = true;
      showFormError(loadError, '');
      const params = new URLSearchParams({ limit: String(COMMENT_PAGE_SIZE) });
      if (cursor) params.set('cursor', cursor);
      try {
        const data = await api('GET', `/videos/${enc(video.id)}/comments?${params}`);
        if (!ctx.alive()) return;
        for (const comment of data.comments || []) {
          if (seen.has(comment.id)) continue;
          seen.add(comment.id);
          list.append(commentItem(comment));
        }
        cursor = data.next_cursor || null;
        more.hidden = !cursor;
      } catch (err) {
        if (!ctx.alive()) return;
        showFormError(loadError, `Could not load comments: ${err.message}`);
      } finally {
        more.disabled = false;
        updateEmpty();
      }
    }
    more.addEventListener('click', load);

    let form;
    if (me) {
      const input = h('textarea', { id: 'comment-input', name: 'content', rows: 3, required: true, maxlength: 2000, testid: 'comment-input' });
      const error = h('p', { className: 'form-error', role: 'alert', testid: 'comment-error', hidden: true });
      const submit = h('button', { type: 'submit', className: 'button', testid: 'comment-submit' }, 'Post comment');
      form = h('form', { className: 'form', testid: 'comment-form' },
        h('div', { className: 'field' }, h('label', { for: 'comment-input' }, 'Add a comment'), input),
        error,
        h('div', { className: 'form-actions' }, submit));
      form.addEventListener('submit', async (e) => {
        e.preventDefault();
        const content = input.value;
        if (!content.trim()) {
          showFormError(error, 'Write something first.');
          input.focus();
          return;
        }
        showFormError(error, '');
        submit.disabled = true;
        try {
          const res = await api('POST', `/videos/${enc(video.id)}/comments`, { content });
          if (!ctx.alive()) return;
          const comment = res.comment || res;
          seen.add(comment.id);
          list.prepend(commentItem(comment));
          updateEmpty();
          input.value = '';
        } catch (err) {
          if (!ctx.alive()) return;
          showFormError(error, err.message);
        } finally {
          submit.disabled = false;
        }
      });
    } else {
      form = h('p', { className: 'notice', testid: 'comment-signin' },
        h('a', { href: pathTo('signin'), on: { click: () => { state.returnTo = pathTo('v', video.id); } } }, 'Sign in'),
        ' to comment.');
    }

    load();
    return h('section', { className: 'comments', testid: 'comments', 'aria-labelledby': 'comments-title' },
      h('h2', { id: 'comments-title' }, 'Comments'),
      form, loadError, empty, list,
      h('div', { className: 'load-more' }, more));
  }

  Object.assign(vidlet, { commentsSection });
})();
