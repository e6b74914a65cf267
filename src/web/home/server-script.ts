/**
 * The browser script of the home and spawn-pending pages, served as a file (/hub/home/server.js)
 * rather than inline so that a strict Content-Security-Policy (script-src 'self') can hold.
 * It starts/stops through the hub's endpoints and follows a start's progress with EventSource.
 * Kept as a string here: it is a few dozen lines and needs no build step.
 */
export const SERVER_SCRIPT = String.raw`(function () {
  'use strict';
  var root = document.getElementById('server-control');
  if (!root) return;
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var bar = document.getElementById('progress-bar');
  var message = document.getElementById('progress-message');
  var startForm = document.getElementById('start-form');
  var stopForm = document.getElementById('stop-form');
  var next = root.getAttribute('data-next');

  function say(text, isError) {
    message.textContent = text;
    message.className = isError ? 'flash error' : 'muted';
  }
  function busy(on) {
    document.querySelectorAll('#server-control button').forEach(function (b) { b.disabled = on; });
  }
  function follow() {
    bar.hidden = false;
    busy(true);
    var source = new EventSource(root.getAttribute('data-progress'));
    source.onmessage = function (e) {
      var event = JSON.parse(e.data);
      bar.value = event.progress;
      say(event.message, Boolean(event.failed));
      if (event.ready) { source.close(); window.location.assign(next); }
      if (event.failed) { source.close(); busy(false); }
    };
    source.onerror = function () { source.close(); busy(false); };
  }
  async function post(url, method) {
    var response = await fetch(url, { method: method, headers: { 'X-XSRF-Token': csrf, Accept: 'application/json' }, credentials: 'same-origin' });
    var body = {};
    try { body = await response.json(); } catch (e) { body = {}; }
    return { status: response.status, body: body };
  }
  if (startForm) startForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    busy(true);
    say('Requesting your server…', false);
    var answer = await post(startForm.getAttribute('action'), 'POST');
    if (answer.status === 202 || answer.status === 200) return follow();
    busy(false);
    say(answer.body.message || ('The hub answered ' + answer.status), true);
  });
  if (stopForm) stopForm.addEventListener('submit', async function (e) {
    e.preventDefault();
    busy(true);
    say('Stopping your server…', false);
    var answer = await post(root.getAttribute('data-api'), 'DELETE');
    if (answer.status === 204 || answer.status === 202) { window.location.reload(); return; }
    busy(false);
    say(answer.body.message || ('The hub answered ' + answer.status), true);
  });
  if (root.getAttribute('data-pending') === 'spawn') follow();
})();
`;
