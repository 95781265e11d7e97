// vidlet — the upload page: the file checks, the form, this tab's job (vidlet.state.currentJob)
// with its progress panel, and the storage meter. The machinery is window.vidletUpload.
'use strict';

(() => {
  const vidlet = window.vidlet;
  const { state, h, pathTo, session, api, flash, showFormError, go, show, requireSignIn } = vidlet;
  const { percentFormat, formatBytes, formatTimeLeft, formatWait } = vidlet;

  // Limits kept in step with the server's configuration.
  /** Largest video the server accepts (MAX_UPLOAD_BYTES, 5 GiB). */
  const MAX_UPLOAD_BYTES = 5 * 1024 * 1024 * 1024;
  /** Video types the server accepts. */
  const ALLOWED_VIDEO_TYPES = ['video/mp4', 'video/webm', 'video/quicktime'];
  /** When the browser gives a file no type, guess it from the extension. */
  const TYPE_BY_EXTENSION = { mp4: 'video/mp4', m4v: 'video/mp4', webm: 'video/webm', mov: 'video/quicktime', qt: 'video/quicktime' };
  const VIDEO_ACCEPT = [...ALLOWED_VIDEO_TYPES, '.mp4', '.webm', '.mov'].join(',');
  const upload = window.vidletUpload;

  function fileType(file) {
    if (file.type) return file.type;
    const ext = (file.name.split('.').pop() || '').toLowerCase();
    return TYPE_BY_EXTENSION[ext] || '';
  }

  /** Returns an error message for a file the server would refuse, or '' when it is fine. */
  function checkVideoFile(file) {
    if (!file) return 'Choose a video file.';
    const type = fileType(file);
    if (!ALLOWED_VIDEO_TYPES.includes(type)) {
      return `“${file.name}” is not a supported video (${type || 'unknown type'}). Choose an MP4, WebM or QuickTime (.mov) file.`;
    }
    if (file.size === 0) return `“${file.name}” is empty.`;
    if (file.size > MAX_UPLOAD_BYTES) {
      return `“${file.name}” (${formatBytes(file.size)}) is larger than the ${formatBytes(MAX_UPLOAD_BYTES)} limit.`;
    }
    return '';
  }

  const JOB_ENDED = ['cancelled', 'abandoned'];
  /** The job's panel is gone: it ended, or failed in a way that cannot be tried again. */
  const jobOver = (job) => JOB_ENDED.includes(job.state) || (job.state === 'failed' && !job.retryable);

  function launchJob(job) {
    state.currentJob = job;
    job.subscribe((j) => {
      if (j !== state.currentJob) return;
      const here = location.pathname === pathTo('upload');
      if (j.state === 'done') {
        state.currentJob = null;
        flash(`Upload complete: “${j.video.name}”.`);
        if (here) go(pathTo('v', j.video.id));
      } else if (j.state === 'failed' && !here) {
        flash(`The upload of “${j.file.name}” stopped: ${j.error.message}`, 'error');
      }
      if (jobOver(j)) state.currentJob = null;
    });
    return job;
  }

  function jobStatus(job) {
    switch (job.state) {
      case 'preparing': return 'Preparing the upload…';
      case 'checking': return 'Checking which parts were already sent…';
      case 'sending': return job.retry
        ? `Part ${job.retry.part} did not go through; trying it again in ${formatWait(job.retry.seconds)}…`
        : `Sending “${job.file.name}” (${formatBytes(job.total)})…`;
      case 'paused': return 'Paused. The parts sent so far are kept.';
      case 'completing': return 'Checking the video…';
      case 'poster': return 'Saving the poster…';
      case 'done': return 'Upload complete.';
      case 'failed': return job.retryable ? 'The upload stopped.' : 'The upload failed.';
      default: return '';
    }
  }

  /** "2.1 GiB of 10 GiB used" from GET /me; `free` is what is left (null until known). */
  function usageMeter(ctx) {
    const text = h('span', { id: 'upload-usage-text', testid: 'upload-usage-text' });
    const meter = h('meter', { id: 'upload-usage-meter', min: 0, max: 1, value: 0, 'aria-labelledby': 'upload-usage-text' });
    const usage = { node: h('div', { className: 'usage', testid: 'upload-usage', hidden: true }, meter, text), free: null };
    usage.refresh = () => api('GET', '/me').then((me) => {
      const used = Number(me && me.used_bytes);
      const quota = Number(me && me.quota_bytes);
      if (!ctx.alive() || !Number.isFinite(used) || !Number.isFinite(quota) || quota <= 0) return;
      meter.max = quota;
      meter.high = quota * 0.9;
      meter.optimum = 0;
      meter.value = Math.min(used, quota);
      text.textContent = `${formatBytes(used)} of ${formatBytes(quota)} used`;
      usage.free = Math.max(0, quota - used);
      usage.node.hidden = false;
    }).catch(() => {});
    usage.refresh();
    return usage;
  }

  function renderUpload(ctx) {
    const me = session.username();
    if (!me) {
      requireSignIn(pathTo('upload'));
      return;
    }
    const fileInput = h('input', {
      type: 'file', id: 'upload-file', name: 'file', required: true, accept: VIDEO_ACCEPT,
      'aria-describedby': 'upload-file-hint', testid: 'upload-file',
    });
    const nameInput = h('input', { type: 'text', id: 'upload-name', name: 'name', required: true, maxlength: 200, testid: 'upload-name' });
    const descInput = h('textarea', { id: 'upload-description', name: 'description', rows: 4, maxlength: 5000, testid: 'upload-description' });
    const privacy = h('select', { id: 'upload-privacy', name: 'privacy', 'aria-describedby': 'upload-privacy-hint', testid: 'upload-privacy' },
      h('option', { value: 'public', selected: true }, 'Public — listed in the feed'),
      h('option', { value: 'unlisted' }, 'Unlisted — only people with the link'),
      h('option', { value: 'private' }, 'Private — only you'));
    const error = h('p', { className: 'form-error', role: 'alert', testid: 'upload-error', hidden: true });
    const submit = h('button', { type: 'submit', className: 'button', testid: 'upload-submit' }, 'Upload');
    const usage = usageMeter(ctx);

    const progress = h('progress', { id: 'upload-progress', max: 100, value: 0, testid: 'upload-progress' });
    const progressLabel = h('span', { className: 'progress-label', testid: 'upload-progress-label', 'aria-hidden': 'true' }, percentFormat.format(0));
    const rate = h('p', { className: 'rate-line', testid: 'upload-rate' });
    const status = h('p', { className: 'status-line', role: 'status', tabindex: -1, testid: 'upload-status' });
    const pause = h('button', { type: 'button', className: 'button button-ghost', testid: 'upload-pause', hidden: true }, 'Pause');
    const resume = h('button', { type: 'button', className: 'button', testid: 'upload-resume', hidden: true }, 'Resume');
    const cancel = h('button', { type: 'button', className: 'button button-danger-ghost', testid: 'upload-cancel' }, 'Cancel upload');
    const progressPanel = h('div', { className: 'upload-progress', testid: 'upload-panel', hidden: true },
      h('label', { for: 'upload-progress', className: 'field-label' }, 'Upload progress'),
      h('div', { className: 'progress-row' }, progress, progressLabel),
      rate,
      status,
      h('div', { className: 'form-actions' }, pause, resume, cancel));

    const form = h('form', { className: 'form', testid: 'upload-form', novalidate: true },
      h('div', { className: 'field' },
        h('label', { for: 'upload-file' }, 'Video file'),
        fileInput,
        h('p', { className: 'hint', id: 'upload-file-hint' }, `MP4, WebM or QuickTime (.mov), up to ${formatBytes(MAX_UPLOAD_BYTES)}.`)),
      h('div', { className: 'field' }, h('label', { for: 'upload-name' }, 'Name'), nameInput),
      h('div', { className: 'field' }, h('label', { for: 'upload-description' }, 'Description (optional)'), descInput),
      h('div', { className: 'field' },
        h('label', { for: 'upload-privacy' }, 'Who can watch'),
        privacy,
        h('p', { className: 'hint', id: 'upload-privacy-hint' }, 'Unlisted and private videos do not appear in the public feed.')),
      error,
      h('div', { className: 'form-actions' }, submit));

    // The panel follows one job; leaving the page leaves the job running.
    let job = null;
    let unsubscribe = null;
    let rateShownAt = 0;
    let rateTimer = null;
    let drawnState = '';
    const setBusy = (busy) => {
      for (const el of [fileInput, nameInput, descInput, privacy, submit]) el.disabled = busy;
    };
    const fill = (fields) => {
      nameInput.value = fields.name || '';
      descInput.value = fields.description || '';
      privacy.value = fields.privacy || 'public';
    };

    function draw(j) {
      if (!ctx.alive()) return;
      const s = j.state;
      const over = jobOver(j);
      const focused = document.activeElement;
      if (drawnState === 'preparing' && s !== 'preparing') usage.refresh(); // the size is reserved now
      drawnState = s;
      setBusy(!over);
      progressPanel.hidden = over;
      const pct = over ? 0 : Math.floor((j.sent / j.total) * 100);
      if (progress.value !== pct) {
        progress.value = pct;
        progressLabel.textContent = percentFormat.format(pct / 100);
      }
      // The rate line changes at most twice a second (and once more after a burst).
      const now = Date.now();
      clearTimeout(rateTimer);
      if (s === 'sending' && now - rateShownAt < 500) {
        rateTimer = setTimeout(() => draw(j), 500 - (now - rateShownAt));
      } else {
        rateShownAt = now;
        const speed = j.speed();
        rate.textContent = [`${formatBytes(j.sent)} of ${formatBytes(j.total)}`,
          speed ? `${formatBytes(speed)}/s` : '', speed ? formatTimeLeft(j.secondsLeft()) : ''].filter(Boolean).join(' · ');
      }
      const line = jobStatus(j);
      if (status.textContent !== line) status.textContent = line;
      pause.hidden = s !== 'sending';
      resume.hidden = !(s === 'paused' || (s === 'failed' && j.retryable));
      resume.textContent = s === 'failed' ? 'Try again' : 'Resume';
      cancel.disabled = ['completing', 'poster', 'done'].includes(s);
      if (focused === pause && pause.hidden && !resume.hidden) resume.focus();
      if (focused === resume && resume.hidden && !pause.hidden) pause.focus();
      if (s === 'failed') {
        showFormError(error, j.retryable
          ? `${j.error.message} The parts sent so far are kept: try again now, or later from this page.`
          : j.error.message);
      } else if (s === 'cancelled') {
        showFormError(error, 'Upload cancelled.');
      } else {
        showFormError(error, '');
      }
      if (over) {
        if (unsubscribe) unsubscribe();
        unsubscribe = null;
        job = null;
        usage.refresh();
        if (progressPanel.contains(focused) || focused === document.body) fileInput.focus({ preventScroll: true });
      }
    }

    function follow(j) {
      if (unsubscribe) unsubscribe();
      job = j;
      unsubscribe = j.subscribe(draw);
      draw(j);
      // The button pressed is now disabled or gone: keep the keyboard focus on the upload.
      const focused = document.activeElement;
      if (!focused || focused === document.body || focused.disabled || !focused.isConnected) status.focus({ preventScroll: true });
    }

    pause.addEventListener('click', () => { if (job) job.pause(); });
    resume.addEventListener('click', () => {
      if (!job) return;
      if (job.state === 'failed') job.retryNow();
      else job.unpause();
    });
    cancel.addEventListener('click', () => { if (job) job.cancel(); });

    let suggestedName = '';
    fileInput.addEventListener('change', () => {
      const file = fileInput.files[0];
      const problem = file ? checkVideoFile(file) : '';
      showFormError(error, problem);
      // Suggest a name from the file, unless the person typed their own.
      if (file && (!nameInput.value.trim() || nameInput.value === suggestedName)) {
        suggestedName = file.name.replace(/\.[^.]+$/, '');
        nameInput.value = suggestedName;
      }
    });

    form.addEventListener('submit', (e) => {
      e.preventDefault();
      if (state.currentJob) return;
      showFormError(error, '');
      const file = fileInput.files[0];
      let problem = checkVideoFile(file);
      if (!problem && usage.free !== null && file.size > usage.free) {
        problem = `“${file.name}” (${formatBytes(file.size)}) does not fit in your storage: ${formatBytes(usage.free)} left. `
          + 'Delete a video or choose a smaller file.';
      }
      if (problem) {
        showFormError(error, problem);
        fileInput.focus();
        return;
      }
      const name = nameInput.value.trim();
      if (!name) {
        showFormError(error, 'Give the video a name.');
        nameInput.focus();
        return;
      }
      const j = launchJob(new upload.UploadJob({ api, file, username: me }));
      follow(j);
      j.start({ name, description: descInput.value.trim(), privacy: privacy.value, contentType: fileType(file) });
    });

    const prompts = h('div', { className: 'resume-list', testid: 'resume-list' });
    const live = state.currentJob && state.currentJob.video ? state.currentJob.video.id : null;
    for (const record of upload.pending.forUser(me)) {
      if (record.videoId === live) continue;
      prompts.append(vidlet.resumePrompt(ctx, record, { // upload-resume.js, loaded after this file
        onResume: (node, file) => {
          node.remove();
          fill(record);
          const j = launchJob(new upload.UploadJob({ api, file, username: me }));
          follow(j);
          j.resume(record);
        },
        onDiscarded: () => {
          usage.refresh();
          fileInput.focus({ preventScroll: true }); // the prompt that had the focus is gone
        },
      }));
    }

    ctx.onLeave(() => {
      clearTimeout(rateTimer);
      if (unsubscribe) unsubscribe();
    });

    show(h('section', { className: 'panel medium', testid: 'upload-page' },
      h('h1', null, 'Upload a video'),
      usage.node,
      prompts,
      form,
      progressPanel));
    if (state.currentJob) {
      if (state.currentJob.fields) fill(state.currentJob.fields);
      follow(state.currentJob);
    }
  }

  Object.assign(vidlet, { VIDEO_ACCEPT, renderUpload });
})();
