// vidlet — unfinished uploads: the prompt to resume one (on the upload page) and the notices
// of this tab's upload and of the ones to resume (on the home page).
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, h, enc, pathTo, api, flash, confirmDialog, showFormError, VIDEO_ACCEPT } = vidlet;
  const { dateTimeFormat, percentFormat, formatBytes } = vidlet;

  const upload = window.vidletUpload;

  /** Checks a remembered upload with the server; forgets it when the video is no longer pending. */
  function checkPending(record, onHeld, onGone) {
    api('GET', `/videos/${enc(record.videoId)}/upload`).then(onHeld, (err) => {
      if (err.status !== 404 && err.status !== 409) return;
      upload.pending.remove(record.videoId);
      onGone();
    });
  }

  let resumeSeq = 0;
  /** "Resume upload of …": pick the same file again, or discard the upload. */
  function resumePrompt(ctx, record, { onResume, onDiscarded }) {
    const n = ++resumeSeq;
    const [fileId, titleId, hintId] = [`resume-file-${n}`, `resume-title-${n}`, `resume-hint-${n}`];
    const held = h('span', { testid: 'resume-held' });
    const fileInput = h('input', { type: 'file', id: fileId, accept: VIDEO_ACCEPT, 'aria-describedby': hintId, testid: 'resume-file' });
    const error = h('p', { className: 'form-error', role: 'alert', testid: 'resume-error', hidden: true });
    const submit = h('button', { type: 'submit', className: 'button', testid: 'resume-submit' }, 'Resume upload');
    const discard = h('button', { type: 'button', className: 'button button-danger-ghost', testid: 'resume-discard' }, 'Discard this upload');
    const elsewhere = record.elsewhere;
    const form = h('form', {
      className: 'resume-prompt', testid: 'resume-prompt', dataset: { videoId: record.videoId }, 'aria-labelledby': titleId, novalidate: true,
    },
    h('h2', { id: titleId }, `Resume upload of “${record.name}”`),
    h('p', { id: hintId }, elsewhere
      ? `“${record.fileName}” is being uploaded in another tab or window.`
      : [`Choose “${record.fileName}” (${formatBytes(record.size)}) again to send the rest. `, held]),
    elsewhere ? null : h('div', { className: 'field' }, h('label', { for: fileId }, 'The same video file'), fileInput),
    error,
    elsewhere ? null : h('div', { className: 'form-actions' }, submit, discard));

    checkPending(record, (status) => {
      const bytes = (status.parts || []).reduce((sum, p) => sum + (p.size || 0), 0);
      const count = status.part_count;
      held.textContent = `${(status.parts || []).length} of ${count} ${count === 1 ? 'part' : 'parts'} `
        + `(${percentFormat.format(Math.min(1, bytes / record.size))}) already sent.`;
    }, () => {
      if (ctx.alive()) {
        form.replaceWith(h('p', { className: 'notice', testid: 'resume-gone' },
          `The upload of “${record.name}” can no longer be resumed: it was completed, rejected or deleted.`));
      }
    });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      const file = fileInput.files[0];
      let problem = '';
      if (!file) {
        problem = `Choose “${record.fileName}” again.`;
      } else if (!upload.sameFile(record, file)) {
        problem = `“${file.name}” is not the file this upload started with: that was “${record.fileName}”, `
          + `${formatBytes(record.size)}, last changed ${dateTimeFormat.format(new Date(record.lastModified))}.`;
      } else if (state.currentJob) {
        problem = 'Another upload is going on: wait for it to finish, or cancel it.';
      }
      showFormError(error, problem);
      if (problem) fileInput.focus();
      else onResume(form, file);
    });

    discard.addEventListener('click', async () => {
      const ok = await confirmDialog(`Discard the upload of “${record.name}”? The parts sent so far will be deleted.`, 'Discard upload');
      if (!ok) return;
      discard.disabled = true;
      try {
        await api('DELETE', `/videos/${enc(record.videoId)}`);
      } catch (err) {
        if (err.status !== 404) {
          discard.disabled = false;
          showFormError(error, `Could not discard the upload: ${err.message}`);
          return;
        }
      }
      upload.pending.remove(record.videoId);
      form.remove();
      flash(`Discarded the upload of “${record.name}”.`);
      onDiscarded();
    });
    return form;
  }

  /** On the home page: this tab's upload, and unfinished ones to resume. */
  function uploadNotices(me) {
    const box = h('div', { className: 'upload-notices', testid: 'upload-notices' });
    if (state.currentJob) {
      const file = state.currentJob.file.name;
      const what = { failed: `The upload of “${file}” stopped. `, paused: `The upload of “${file}” is paused. ` };
      box.append(h('p', { className: 'notice', testid: 'upload-notice' },
        what[state.currentJob.state] || `“${file}” is being uploaded. `,
        h('a', { href: pathTo('upload') }, 'Open the upload page')));
    }
    const live = state.currentJob && state.currentJob.video ? state.currentJob.video.id : null;
    for (const record of upload.pending.forUser(me)) {
      if (record.videoId === live || record.elsewhere) continue;
      const notice = h('div', { className: 'notice resume-notice', testid: 'resume-notice', dataset: { videoId: record.videoId } },
        h('p', null, `The upload of “${record.name}” did not finish.`),
        h('a', { className: 'button button-small', href: pathTo('upload'), testid: 'resume-notice-link' }, `Resume upload of “${record.name}”`));
      box.append(notice);
      checkPending(record, () => {}, () => notice.remove());
    }
    return box;
  }

  Object.assign(vidlet, { resumePrompt, uploadNotices });
})();
