'use strict';
// The studio's preview: the official Web Chat on a Direct Line conversation answered by the draft, and beside
// it, for each turn, what the bot made of it (the dialog-state trace: topic, step, what it understood).
(() => {
  const LOCALES = { en: 'en-GB', es: 'es-ES', it: 'it-IT', fr: 'fr-FR', de: 'de-DE' };
  const $ = (id) => document.getElementById(id);
  const { element, api } = window.studioPage;

  let directLine;
  /** What the lead last typed or clicked, shown with the trace of the turn it started. */
  let lastSaid;

  function understoodText(trace) {
    const parts = [`Topic ${trace.topic}`, `step ${trace.state}`];
    if (trace.expecting) parts.push(`waiting for ${trace.expecting}`);
    parts.push(
      trace.understood
        ? `understood ${trace.understood.intent} (${Math.round(trace.understood.p * 100)} %)`
        : 'no model needed (a button, a command or an answer)',
    );
    if (trace.written) parts.push(`written in ${trace.written.language} (${Math.round(trace.written.p * 100)} %)`);
    return parts.join(', ');
  }

  function showTrace(trace) {
    $('preview-trace').append(
      element(
        'li',
        { 'data-state': trace.state, 'data-topic': trace.topic },
        element('p', { class: 'said', text: lastSaid === undefined ? 'Conversation opened' : `“${lastSaid}”` }),
        element('p', { class: 'understood', text: understoodText(trace) }),
        element('p', { class: 'hint', text: `Texts: ${(trace.said ?? []).join(', ')}` }),
      ),
    );
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
      message.textContent = data.message || 'The preview could not start; try again.';
      return;
    }
    if (directLine) directLine.end();
    // A fresh transcript for the new conversation: Web Chat starts again in a new element.
    const old = $('preview-webchat');
    const root = old.cloneNode(false);
    old.replaceWith(root);
    $('preview-trace').replaceChildren();
    lastSaid = undefined;
    directLine = window.HelpdeskDirectLine.create({
      token: data.token,
      domain: window.location.origin + data.domain,
      reconnecting: () => {},
      gone: () => {
        message.textContent = 'The preview conversation is gone (the bot restarted); start a new one.';
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
})();
