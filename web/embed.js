// The helpdesk chat on another site: a button in the corner that opens the chat page in a panel.
// <script src="https://<the bot>/webchat/embed.js" data-lang="de" defer></script>
(function () {
  'use strict';

  var script = document.currentScript;
  var origin = new URL(script.src).origin;
  // The server puts each language's button texts here when it serves the script.
  // eslint-disable-next-line no-undef -- filled in at serve time
  var TEXTS = __TEXTS__;
  var wanted = (script.getAttribute('data-lang') || document.documentElement.lang || navigator.language || 'en')
    .slice(0, 2)
    .toLowerCase();
  var language = TEXTS[wanted] ? wanted : 'en';
  var accent = script.getAttribute('data-color') || '#0b5cad';
  var frame;

  var button = document.createElement('button');
  button.type = 'button';
  button.setAttribute('aria-expanded', 'false');
  button.setAttribute('aria-label', TEXTS[language].open);
  button.title = TEXTS[language].open;
  button.innerHTML =
    '<svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true" focusable="false">' +
    '<path fill="currentColor" d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z' +
    'm3 6.5a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3zm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z' +
    'm5 0a1.5 1.5 0 1 0 0 3 1.5 1.5 0 0 0 0-3z"/></svg>';
  button.style.cssText =
    'position:fixed;right:20px;bottom:20px;width:60px;height:60px;border-radius:50%;border:0;cursor:pointer;' +
    'z-index:2147483000;' +
    'display:flex;align-items:center;justify-content:center;color:#fff;background:' +
    accent +
    ';box-shadow:0 4px 16px rgba(16,32,64,.3)';

  function toggle() {
    var opening = !frame || frame.style.display === 'none';
    if (opening && !frame) {
      // The chat starts (and gets its token) only when the candidate opens it.
      frame = document.createElement('iframe');
      frame.src = origin + '/?lang=' + encodeURIComponent(language);
      frame.title = TEXTS[language].open;
      frame.style.cssText =
        'position:fixed;right:20px;bottom:92px;width:380px;height:600px;' +
        'max-width:calc(100vw - 40px);max-height:calc(100vh - 112px);' +
        'border:0;border-radius:12px;background:#fff;box-shadow:0 4px 24px rgba(16,32,64,.25);z-index:2147483000';
      document.body.appendChild(frame);
    } else {
      frame.style.display = opening ? 'block' : 'none';
    }
    var label = opening ? TEXTS[language].close : TEXTS[language].open;
    button.setAttribute('aria-expanded', String(opening));
    button.setAttribute('aria-label', label);
    button.title = label;
  }

  button.addEventListener('click', toggle);
  document.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && frame && frame.style.display !== 'none') {
      toggle();
      button.focus();
    }
  });
  // Escape inside the chat: the page in the frame asks to be closed.
  window.addEventListener('message', function (event) {
    var asked = event.data && event.data.helpdesk === 'close';
    if (!asked || event.origin !== origin || !frame || event.source !== frame.contentWindow) return;
    if (frame.style.display !== 'none') {
      toggle();
      button.focus();
    }
  });
  // The tag may sit in <head> without defer: wait for the body.
  if (document.body) document.body.appendChild(button);
  else
    document.addEventListener('DOMContentLoaded', function () {
      document.body.appendChild(button);
    });
})();
