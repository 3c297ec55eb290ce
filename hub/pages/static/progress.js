// Spawn progress client: follows the hub's server-sent events and updates the progress page.
// The state logic is pure (exported for tests under node); the DOM part runs only in a browser.
(function () {
  'use strict';

  var MAX_RETRIES = 4;
  var LOST_MESSAGE = 'Lost contact with the hub while the server was starting. ' +
    'It may still be starting: reload this page to check, or go back home.';

  function initialState() {
    return { progress: 0, log: [], status: '', phase: 'waiting', url: null, failure: null, errors: 0 };
  }

  // One `data:` payload → event object, or null when it is not a JSON object.
  function parseEvent(data) {
    try {
      var value = JSON.parse(data);
      return value !== null && typeof value === 'object' && !Array.isArray(value) ? value : null;
    } catch (e) {
      return null;
    }
  }

  // Only same-origin targets: a path ('/user/alice/') or an absolute URL on `origin`.
  // Anything else (other hosts, '//host', 'javascript:') falls back, so the stream cannot redirect away.
  function safeRedirect(url, origin, fallback) {
    if (typeof url !== 'string' || url === '') return fallback;
    if (url.charAt(0) === '/' && url.charAt(1) !== '/' && url.charAt(1) !== '\\') return url;
    if (typeof origin === 'string' && origin !== '' && url.indexOf(origin + '/') === 0) return url;
    return fallback;
  }

  function copy(state) {
    return {
      progress: state.progress, log: state.log.slice(), status: state.status, phase: state.phase,
      url: state.url, failure: state.failure, errors: state.errors,
    };
  }

  // Applies one progress event. The bar never moves backwards; a finished state ignores later events.
  // opts: { serverUrl: fallback target when ready names no url, origin: page origin }.
  function applyMessage(state, event, opts) {
    if (state.phase !== 'waiting' || event === null || typeof event !== 'object') return state;
    var next = copy(state);
    next.errors = 0;
    if (typeof event.progress === 'number' && isFinite(event.progress)) {
      next.progress = Math.max(next.progress, Math.min(100, Math.max(0, event.progress)));
    }
    var message = typeof event.message === 'string' ? event.message : '';
    // A reconnect may replay earlier events; show each message once.
    if (message !== '' && next.log.indexOf(message) === -1) next.log.push(message);
    if (message !== '') next.status = message;
    if (event.failed === true) {
      next.phase = 'failed';
      next.failure = message !== '' ? message : 'The server failed to start.';
      next.status = 'Start-up failed.';
    } else if (event.ready === true) {
      next.phase = 'ready';
      next.progress = 100;
      next.url = safeRedirect(event.url, opts.origin, opts.serverUrl);
      next.status = 'The server is ready. Opening it…';
    }
    return next;
  }

  // Records a connection error; after more than maxRetries in a row the page gives up.
  function applyError(state, maxRetries) {
    if (state.phase !== 'waiting') return state;
    var next = copy(state);
    next.errors = state.errors + 1;
    if (next.errors > maxRetries) {
      next.phase = 'lost';
      next.failure = LOST_MESSAGE;
    }
    return next;
  }

  function retryDelayMs(errors) {
    return Math.min(1000 * Math.pow(2, Math.max(0, errors - 1)), 8000);
  }

  function startPage() {
    var root = document.getElementById('spawn-progress');
    if (root === null) return;
    var bar = document.getElementById('progress-bar');
    var status = document.getElementById('progress-status');
    var log = document.getElementById('progress-log');
    var errorBox = document.getElementById('progress-error');
    var errorMessage = document.getElementById('progress-error-message');
    var ready = document.getElementById('progress-ready');
    var readyLink = document.getElementById('progress-ready-link');
    var opts = { serverUrl: root.getAttribute('data-server-url') || '/', origin: window.location.origin };
    var progressUrl = root.getAttribute('data-progress-url');
    var state = initialState();
    var shown = 0;
    var source = null;

    function render() {
      bar.value = state.progress;
      bar.textContent = Math.round(state.progress) + '%';
      if (state.status !== '') status.textContent = state.status;
      for (; shown < state.log.length; shown++) {
        var item = document.createElement('li');
        item.textContent = state.log[shown];
        log.appendChild(item);
      }
      if (state.phase === 'failed' || state.phase === 'lost') {
        errorMessage.textContent = state.failure;
        errorBox.hidden = false;
        root.classList.add('is-failed');
      }
      if (state.phase === 'ready') {
        readyLink.setAttribute('href', state.url);
        ready.hidden = false;
      }
    }

    function connect() {
      source = new EventSource(progressUrl);
      source.onmessage = function (e) {
        state = applyMessage(state, parseEvent(e.data), opts);
        render();
        if (state.phase !== 'waiting') source.close();
        if (state.phase === 'ready') window.location.assign(state.url);
      };
      source.onerror = function () {
        if (state.phase !== 'waiting') { source.close(); return; }
        state = applyError(state, MAX_RETRIES);
        if (state.phase === 'lost') {
          source.close();
          render();
        } else if (source.readyState === EventSource.CLOSED) {
          // The browser retries on its own only while CONNECTING; a closed source needs a new one.
          setTimeout(connect, retryDelayMs(state.errors));
        }
      };
    }

    if (typeof EventSource === 'undefined' || !progressUrl) {
      state = applyError(state, -1);
      render();
      return;
    }
    connect();
  }

  var api = {
    MAX_RETRIES: MAX_RETRIES, initialState: initialState, parseEvent: parseEvent,
    safeRedirect: safeRedirect, applyMessage: applyMessage, applyError: applyError,
    retryDelayMs: retryDelayMs,
  };
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
  if (typeof document !== 'undefined') {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', startPage);
    else startPage();
  }
})();
