// The support-site chat: gets a Direct Line token from the bot, then runs the official Web Chat.
(function () {
  'use strict';

  var config = JSON.parse(document.getElementById('chat-config').textContent);
  var language = config.language;
  var root = document.getElementById('webchat');
  var status = document.getElementById('chat-status');
  var picker = document.getElementById('chat-language');
  var directLine;
  var store;

  function text(key) {
    return config.texts[language][key];
  }

  // Everything on the page that is ours (not Web Chat's) follows the chosen language.
  function applyLanguage() {
    document.documentElement.lang = language;
    document.title = text('title');
    document.querySelectorAll('[data-text]').forEach(function (element) {
      element.textContent = text(element.getAttribute('data-text'));
    });
    document.querySelectorAll('[data-label]').forEach(function (element) {
      element.setAttribute('aria-label', text(element.getAttribute('data-label')));
    });
    picker.value = language;
  }

  // One line above the chat: "failed" (with the reload button), or a notice that passes by itself.
  function showStatus(state) {
    status.hidden = false;
    status.setAttribute('data-state', state);
    status.querySelector('[data-text]').setAttribute('data-text', state);
    status.querySelector('button').hidden = state !== 'failed';
    applyLanguage();
  }

  function showFailure() {
    showStatus('failed');
  }

  // The server's Retry-After, within reason: at least a second, at most a minute.
  function waitMs(retryAfter) {
    var seconds = Number(retryAfter);
    return Math.min(Math.max(seconds > 0 ? seconds : 5, 1), 60) * 1000;
  }

  var styleOptions = {
    accent: '#0b5cad',
    backgroundColor: '#ffffff',
    bubbleBackground: '#eef2f7',
    bubbleBorderRadius: 12,
    bubbleFromUserBackground: '#0b5cad',
    bubbleFromUserTextColor: '#ffffff',
    bubbleFromUserBorderRadius: 12,
    hideUploadButton: true,
    suggestedActionLayout: 'flow',
    // The menu has ten buttons: in a small panel they scroll, so the conversation stays in view.
    suggestedActionsFlowMaxHeight: Math.max(110, Math.round(window.innerHeight * 0.35)),
    suggestedActionHeight: 34,
    suggestedActionBorderRadius: 16,
    sendTypingIndicator: false,
    primaryFont: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  };

  function render() {
    window.WebChat.renderWebChat(
      // No userID: the token already binds the user, and Web Chat refuses to trust a "dl_" id it cannot read in it.
      {
        directLine: directLine,
        store: store,
        locale: config.locales[language],
        styleOptions: styleOptions,
        renderMarkdown: window.HelpdeskMarkdown.render,
      },
      root,
    );
  }

  function sendEvent(name, value) {
    store.dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: name, value: value } });
  }

  // The page, Web Chat's own words and the address follow the language; true when it changed.
  function switchLanguage(next) {
    if (!config.texts[next] || next === language) return false;
    language = next;
    var url = new URL(window.location.href);
    url.searchParams.set('lang', language);
    window.history.replaceState(null, '', url);
    applyLanguage();
    if (store) render();
    return true;
  }

  picker.addEventListener('change', function () {
    // The bot switches too, and says so in the new language.
    if (switchLanguage(picker.value) && store) sendEvent('webchat/setLanguage', language);
  });

  status.querySelector('button').addEventListener('click', function () {
    window.location.reload();
  });

  // A notice that passes by itself: hidden again once the state it names is over.
  function hideStatus(state) {
    if (status.getAttribute('data-state') === state) status.hidden = true;
  }

  applyLanguage();

  // Web Chat keeps the end of the transcript in view; a bot message taller than the space left would then start
  // above the top, hidden under the header. Such a message is shown from its first line instead.
  function showStartOfNewest() {
    var scrollable = root.querySelector('.webchat__basic-transcript__scrollable');
    var bubbles = root.querySelectorAll('.webchat__bubble:not(.webchat__bubble--from-user)');
    var newest = bubbles[bubbles.length - 1];
    if (!scrollable || !newest) return;
    var hidden = newest.getBoundingClientRect().top - scrollable.getBoundingClientRect().top;
    if (hidden < 0) scrollable.scrollTop += hidden - 8;
  }

  function resend(api, activity, clientActivityID) {
    var channelData = Object.assign({}, activity.channelData);
    delete channelData.state;
    delete channelData['webchat:send-status'];
    var outgoing = Object.assign({}, activity, { channelData: channelData });
    var meta = { clientActivityID: clientActivityID, method: 'retry' };
    api.dispatch({ type: 'DIRECT_LINE/POST_ACTIVITY_PENDING', meta: meta, payload: { activity: outgoing } });
    directLine.postActivity(outgoing).subscribe({
      next: function (id) {
        var sent = Object.assign({}, outgoing, { id: id });
        api.dispatch({ type: 'DIRECT_LINE/POST_ACTIVITY_FULFILLED', meta: meta, payload: { activity: sent } });
      },
      error: function (error) {
        api.dispatch({ type: 'DIRECT_LINE/POST_ACTIVITY_REJECTED', error: true, meta: meta, payload: error });
      },
    });
  }

  // What the page adds to Web Chat's store: its own Retry, following the bot's language, showing a long message
  // from its start, and the hello with the page's language once connected.
  function pageMiddleware(api) {
    return function (next) {
      return function (action) {
        // Web Chat's "Retry" posts the failed message as a new one, leaving the failed copy in the transcript: the
        // page sends the same message again itself, under its own client id, so the server keeps it once (even
        // if the first try did get there) and the one bubble turns from failed to sent.
        var retried = action.type === 'DIRECT_LINE/POST_ACTIVITY' && action.payload.activity.channelData;
        if (retried && retried.clientActivityID) {
          resend(api, action.payload.activity, retried.clientActivityID);
          return undefined;
        }
        // The candidate changed language by typing: the bot says so with an event, and the page follows.
        var incoming = action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload.activity;
        if (incoming && incoming.type === 'event' && incoming.name === 'webchat/language') {
          var followed = incoming.value;
          setTimeout(function () {
            switchLanguage(followed);
          }, 0);
        }
        if (incoming && incoming.type === 'message' && incoming.from && incoming.from.role === 'bot') {
          setTimeout(showStartOfNewest, 300);
          setTimeout(showStartOfNewest, 900);
        }
        // Say hello once connected, with the page's language, so the welcome comes in it.
        if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
          setTimeout(function () {
            api.dispatch({
              type: 'WEB_CHAT/SEND_EVENT',
              payload: { name: 'webchat/join', value: { language: language } },
            });
          }, 0);
        }
        return next(action);
      };
    };
  }

  // Web Chat on a conversation of its own; `restarted` when the previous one was lost (the bot restarted).
  function connect(grant, restarted) {
    if (directLine) {
      directLine.end();
      // A fresh transcript for the new conversation: Web Chat starts again in a new element.
      var fresh = root.cloneNode(false);
      root.replaceWith(fresh);
      root = fresh;
    }
    directLine = window.HelpdeskDirectLine.create({
      token: grant.token,
      domain: config.domain === 'local' ? window.location.origin + config.localPath : config.domain,
      reconnecting: function (yes) {
        if (yes) showStatus('reconnecting');
        else hideStatus('reconnecting');
      },
      gone: function () {
        start(true);
      },
      // Posting too fast: say so politely until the server's Retry-After has passed.
      slowDown: function (retryAfter) {
        showStatus('slowDown');
        setTimeout(function () {
          hideStatus('slowDown');
        }, waitMs(retryAfter));
      },
      posting: function () {
        hideStatus('restarted');
      },
    });
    directLine.start();
    // The page's scripts run before Web Chat's bundle has arrived (they are deferred, and come first), so the
    // chat is asked for while the bundle still loads; Web Chat is shown once it is there.
    whenWebChatLoaded(function () {
      store = window.WebChat.createStore({}, pageMiddleware);
      if (restarted) showStatus('restarted');
      else status.hidden = true;
      render();
    });
  }

  function whenWebChatLoaded(callback) {
    if (window.WebChat) callback();
    else document.addEventListener('DOMContentLoaded', callback);
  }

  // While the chat's storage is out (503) the page says the chat is briefly unavailable; while many chats start
  // from this address (429, a school or exam-centre network) it says the chat is busy. Either way it asks again
  // after the server's Retry-After, by itself.
  function start(restarted) {
    fetch(config.tokenUrl, { method: 'POST', headers: { accept: 'application/json' } })
      .then(function (response) {
        if (response.status === 503 || response.status === 429) {
          showStatus(response.status === 429 ? 'busy' : 'unavailable');
          setTimeout(
            function () {
              start(restarted);
            },
            waitMs(response.headers.get('retry-after')),
          );
          return undefined;
        }
        if (!response.ok) throw new Error('token ' + response.status);
        return response.json().then(function (grant) {
          connect(grant, restarted);
        });
      })
      .catch(function () {
        // The bot is down while the page restarts its chat: keep trying, as a reconnect does.
        if (restarted) {
          showStatus('reconnecting');
          setTimeout(function () {
            start(true);
          }, 1000);
        } else showFailure();
      });
  }

  // In the panel on another site: Escape closes the panel there, also while the candidate types in the chat
  // (caught before Web Chat's own keys).
  if (window.parent !== window)
    document.addEventListener(
      'keydown',
      function (event) {
        if (event.key === 'Escape') window.parent.postMessage({ helpdesk: 'close' }, '*');
      },
      true,
    );

  start(false);
})();
