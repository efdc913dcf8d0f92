// The page's own Direct Line client, what Web Chat talks to instead of its default one: it reconnects within a
// second and says so, retries a send by itself (the server keeps a retried send once, by its client id) and
// reports one that cannot get through within seconds, and tells the page when the conversation is gone (the bot
// restarted and lost it) so the page can start a new one.
(function () {
  'use strict';

  // Web Chat's connection states, as DirectLineJS numbers them.
  var CONNECTING = 1;
  var ONLINE = 2;
  var FAILED_TO_CONNECT = 4;
  var ENDED = 5;
  /** The first try to reconnect a closed stream, then the pause between tries while the bot is down. */
  var RECONNECT_FIRST_MS = 250;
  var RECONNECT_MS = 1000;
  /** A send that has not got through by then is reported as failed (Web Chat shows "Retry"). */
  var SEND_GIVE_UP_MS = 6000;
  var SEND_RETRY_MS = 750;
  /** Tokens last 30 minutes; a fresh one every 15. */
  var REFRESH_MS = 15 * 60 * 1000;

  /** The part of an Observable Web Chat uses: subscribe({ next, error, complete }) and unsubscribe(). */
  function Observable(start) {
    this.start = start;
  }
  Observable.prototype.subscribe = function (observer) {
    var target = typeof observer === 'function' ? { next: observer } : observer || {};
    var open = true;
    var stop = this.start({
      next: function (value) {
        if (open && target.next) target.next(value);
      },
      error: function (error) {
        if (!open) return;
        open = false;
        if (target.error) target.error(error);
      },
      complete: function () {
        if (!open) return;
        open = false;
        if (target.complete) target.complete();
      },
    });
    return {
      unsubscribe: function () {
        open = false;
        if (typeof stop === 'function') stop();
      },
    };
  };

  /** A refusal that waiting does not cure (4xx); anything else (no answer, 5xx) is worth another try. */
  function refusal(response) {
    return Object.assign(new Error('Direct Line answered ' + response.status), {
      status: response.status,
      response: response,
    });
  }

  /**
   * options: token, domain, and what the page wants to know: reconnecting(boolean), gone(), slowDown(retryAfter),
   * posting(activity).
   */
  function createDirectLine(options) {
    var token = options.token;
    var conversationId;
    var streamUrl;
    var watermark = '';
    var status = 0;
    var started = false;
    var ended = false;
    var socket;
    var timers = [];
    var statusListeners = [];
    var activityListeners = [];
    var early = [];

    function later(callback, ms) {
      var timer = setTimeout(function () {
        timers.splice(timers.indexOf(timer), 1);
        callback();
      }, ms);
      timers.push(timer);
      return timer;
    }

    function setStatus(next) {
      status = next;
      statusListeners.slice().forEach(function (listener) {
        listener.next(next);
      });
    }

    function request(method, path, body) {
      return fetch(options.domain + path, {
        method: method,
        headers: { authorization: 'Bearer ' + token, accept: 'application/json', 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    }

    function conversationPath() {
      return '/conversations/' + encodeURIComponent(conversationId);
    }

    // The conversation no longer exists (or no longer accepts this token): the page starts a new one.
    function gone() {
      if (ended) return;
      end();
      options.gone();
    }

    function openStream() {
      if (ended) return;
      var ws = new WebSocket(streamUrl);
      socket = ws;
      ws.onopen = function () {
        options.reconnecting(false);
      };
      ws.onmessage = function (message) {
        if (!message.data) return;
        var set = JSON.parse(message.data);
        if (set.watermark) watermark = set.watermark;
        (set.activities || []).forEach(function (activity) {
          // Before Web Chat listens (the conversation started while its bundle was still loading): kept for it.
          if (!activityListeners.length) early.push(activity);
          activityListeners.slice().forEach(function (listener) {
            listener.next(activity);
          });
        });
      };
      ws.onclose = function (event) {
        if (socket !== ws || ended) return;
        socket = undefined;
        // The bot's own Direct Line closes with 4404/4403 when the conversation is gone or the token refused.
        if (event.code === 4404 || event.code === 4403) return gone();
        options.reconnecting(true);
        reconnect(RECONNECT_FIRST_MS);
      };
    }

    function reconnect(delay) {
      later(function () {
        var path = conversationPath() + '?watermark=' + encodeURIComponent(watermark);
        request('GET', path)
          .then(function (response) {
            if (response.status === 403 || response.status === 404) return gone();
            if (!response.ok) throw refusal(response);
            return response.json().then(function (info) {
              token = info.token;
              streamUrl = info.streamUrl;
              openStream();
            });
          })
          .catch(function () {
            if (!ended) reconnect(RECONNECT_MS);
          });
      }, delay);
    }

    function refreshLoop() {
      later(function () {
        request('POST', '/tokens/refresh')
          .then(function (response) {
            return response.ok ? response.json() : undefined;
          })
          .then(function (info) {
            if (info && info.token) token = info.token;
          })
          .catch(function () {
            return undefined;
          })
          .then(function () {
            if (!ended) refreshLoop();
          });
      }, REFRESH_MS);
    }

    function start() {
      if (started) return;
      started = true;
      setStatus(CONNECTING);
      request('POST', '/conversations')
        .then(function (response) {
          if (response.status === 403 || response.status === 404) return gone();
          if (!response.ok) throw refusal(response);
          return response.json().then(function (info) {
            conversationId = info.conversationId;
            token = info.token;
            streamUrl = info.streamUrl;
            setStatus(ONLINE);
            openStream();
            refreshLoop();
          });
        })
        .catch(function () {
          if (!ended) setStatus(FAILED_TO_CONNECT);
        });
    }

    function end() {
      if (ended) return;
      ended = true;
      timers.splice(0).forEach(clearTimeout);
      if (socket) socket.close();
      socket = undefined;
      setStatus(ENDED);
    }

    function postActivity(activity) {
      return new Observable(function (observer) {
        var giveUpAt = Date.now() + SEND_GIVE_UP_MS;
        var stopped = false;
        var timer;
        if (activity.type === 'message') options.posting(activity);
        function attempt() {
          if (stopped) return;
          request('POST', conversationPath() + '/activities', activity)
            .then(function (response) {
              if (response.ok)
                return response.json().then(function (body) {
                  observer.next(body.id);
                  observer.complete();
                });
              if (response.status === 429) options.slowDown(response.headers.get('retry-after'));
              if (response.status === 404) gone();
              throw refusal(response);
            })
            .catch(function (error) {
              var worthRetrying = !(error.status >= 400 && error.status < 500);
              if (stopped) return;
              if (worthRetrying && !ended && Date.now() + SEND_RETRY_MS < giveUpAt)
                timer = setTimeout(attempt, SEND_RETRY_MS);
              else observer.error(error);
            });
        }
        attempt();
        return function () {
          stopped = true;
          clearTimeout(timer);
        };
      });
    }

    return {
      get token() {
        return token;
      },
      activity$: new Observable(function (observer) {
        activityListeners.push(observer);
        early.splice(0).forEach(observer.next);
        start();
        return function () {
          activityListeners.splice(activityListeners.indexOf(observer), 1);
        };
      }),
      connectionStatus$: new Observable(function (observer) {
        statusListeners.push(observer);
        observer.next(status);
        return function () {
          statusListeners.splice(statusListeners.indexOf(observer), 1);
        };
      }),
      postActivity: postActivity,
      end: end,
      /** Starts the conversation now, before Web Chat asks for it (it may still be loading). */
      start: start,
    };
  }

  window.HelpdeskDirectLine = { create: createDirectLine };
})();
