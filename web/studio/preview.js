'use strict';
// The studio's preview: the official Web Chat on a Direct Line conversation answered by the draft, and beside
// it, for each turn, what the bot made of it (the dialog-state trace: topic, step, what it understood).
(() => {
  const LOCALES = { en: 'en-GB', es: 'es-ES', it: 'it-IT', fr: 'fr-FR', de: 'de-DE' };
  const $ = (id) => document.getElementById(id);
  const { element, api, languageNames } = window.studioPage;
  const studioText = window.studioText;

  let directLine;
  /** What the lead last typed or clicked, shown with the trace of the turn it started. */
  let lastSaid;
  /** Each turn's trace with what started it, to draw the list again in another language of the page. */
  let turns = [];

  function understoodText(trace) {
    const sure = (p) =>
      new Intl.NumberFormat(document.documentElement.lang, { style: 'percent', maximumFractionDigits: 0 }).format(p);
    const parts = [studioText('preview.trace', { topic: trace.topic, step: trace.state })];
    if (trace.expecting) parts.push(studioText('preview.waiting', { slot: trace.expecting }));
    parts.push(
      trace.understood
        ? studioText('preview.understood', { understood: trace.understood.intent, sure: sure(trace.understood.p) })
        : studioText('preview.noModel'),
    );
    if (trace.written) {
      const language = languageNames[trace.written.language] ?? trace.written.language;
      parts.push(studioText('preview.written', { language, sure: sure(trace.written.p) }));
    }
    return parts.join(', ');
  }

  function traceItem({ trace, said }) {
    return element(
      'li',
      { 'data-state': trace.state, 'data-topic': trace.topic },
      element('p', {
        class: 'said',
        text: said === undefined ? studioText('preview.opened') : studioText('preview.said', { text: said }),
      }),
      element('p', { class: 'understood', text: understoodText(trace) }),
      element('p', { class: 'hint', text: studioText('preview.texts', { keys: (trace.said ?? []).join(', ') }) }),
    );
  }

  function showTrace(trace) {
    const turn = { trace, said: lastSaid };
    turns.push(turn);
    $('preview-trace').append(traceItem(turn));
    lastSaid = undefined;
    const list = $('preview-trace');
    list.scrollTop = list.scrollHeight;
  }

  // Sees every activity Web Chat gets or sends: the trace goes beside the chat, what was said with it.
  const middleware = (store, language) => () => (next) => (action) => {
    if (action.type === 'DIRECT_LINE/CONNECT_FULFILLED') {
      // Open the conversation in the chosen language, as the chat page does: the welcome comes in it.
      setTimeout(() =>
        store().dispatch({ type: 'WEB_CHAT/SEND_EVENT', payload: { name: 'webchat/join', value: { language } } }),
      );
    }
    if (action.type === 'DIRECT_LINE/POST_ACTIVITY' && action.payload.activity.type === 'message')
      lastSaid = action.payload.activity.text;
    const incoming = action.type === 'DIRECT_LINE/INCOMING_ACTIVITY' && action.payload.activity;
    if (incoming && incoming.type === 'trace' && incoming.name === 'helpdesk.state') showTrace(incoming.value);
    return next(action);
  };

  async function start() {
    const language = $('preview-language').value;
    const message = $('preview-message');
    message.textContent = '';
    const { status, data } = await api('POST', '/studio/api/preview/conversations', { language });
    if (status !== 201) {
      message.textContent = data.message || studioText('preview.failed');
      return;
    }
    if (directLine) directLine.end();
    // A fresh transcript for the new conversation: Web Chat starts again in a new element.
    const old = $('preview-webchat');
    const root = old.cloneNode(false);
    old.replaceWith(root);
    $('preview-trace').replaceChildren();
    turns = [];
    lastSaid = undefined;
    directLine = window.HelpdeskDirectLine.create({
      token: data.token,
      domain: window.location.origin + data.domain,
      reconnecting: () => {},
      gone: () => {
        message.textContent = studioText('preview.gone');
      },
      slowDown: () => {},
      posting: () => {},
    });
    directLine.start();
    let store;
    store = window.WebChat.createStore(
      {},
      middleware(() => store, language),
    );
    window.WebChat.renderWebChat(
      {
        directLine,
        store,
        locale: LOCALES[language],
        renderMarkdown: window.HelpdeskMarkdown.render,
        styleOptions: { hideUploadButton: true, sendTypingIndicator: false, suggestedActionLayout: 'flow' },
      },
      root,
    );
  }

  $('preview-start').addEventListener('click', () => void start());
  // Another language for the page: the turns so far are described again in it.
  document.addEventListener('studio:language', () => $('preview-trace').replaceChildren(...turns.map(traceItem)));
})();
