// vidlet — the app's shared core: the window.vidlet namespace, the mutable state several
// files share (vidlet.state), and the small DOM and path helpers. Loaded first of the app's
// files. Each file puts what others use on window.vidlet, takes what earlier files define
// when it loads, and reaches later ones (the views, from the router) as vidlet.name() when
// it runs.
'use strict';

window.vidlet = window.vidlet || {};

(() => {
  /** Mutable state shared by several files: one copy, read and written as vidlet.state.name. */
  const state = {
    /** This tab's upload (window.vidletUpload's UploadJob): it goes on while the person browses. */
    currentJob: null,
    /** Where signing in leads back to (set by a page that asked for it). */
    returnTo: null,
    /** Set by the first navigation (not the first view): from then on a view focuses its heading. */
    focusOnRender: false,
  };

  // ---------------------------------------------------------------------------------------
  // Small DOM helper: h('a', {href, className, dataset, on: {click}}, ...children).
  // Strings become text nodes, so data can never turn into markup.

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [key, value] of Object.entries(props)) {
        if (value === undefined || value === null || value === false) continue;
        if (key === 'on') {
          for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
        } else if (key === 'dataset') {
          Object.assign(el.dataset, value);
        } else if (key === 'testid') {
          el.dataset.testid = value;
        } else if (key === 'className' || key === 'textContent' || key === 'value' || key === 'hidden'
          || key === 'disabled' || key === 'required' || key === 'checked' || key === 'selected'
          || key === 'muted' || key === 'controls' || key === 'multiple') {
          el[key] = value;
        } else if (value === true) {
          el.setAttribute(key, '');
        } else {
          el.setAttribute(key, String(value));
        }
      }
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  const $ = (selector, root = document) => root.querySelector(selector);
  const enc = encodeURIComponent;

  /** The path of a page: pathTo() is the feed, pathTo('v', id) a video; each part encoded. */
  function pathTo(...parts) {
    return `/${parts.map((part) => enc(part)).join('/')}`;
  }

  Object.assign(window.vidlet, { state, h, $, enc, pathTo });
})();
