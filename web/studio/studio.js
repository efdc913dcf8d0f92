'use strict';
// The studio page: plain DOM, no framework. Every call goes to the studio's JSON API (api/studio.v1.yaml).
(() => {
  /** The languages' names in the page's language, filled with the page's words. */
  const LANGUAGE_NAMES = {};
  const LANGUAGES = ['en', 'es', 'it', 'fr', 'de'];
  /** A translation this much longer than English may not fit a button or a phone screen. */
  const MUCH_LONGER = { ratio: 1.5, extra: 20 };
  const PLACEHOLDER = /\{\{\s*([^},\s]+)[^}]*\}\}/g;

  let session;
  let dialog;
  const $ = (id) => document.getElementById(id);

  // The page's words are in the content (locales/<language>/web.json, "studio.page"). Any studio script says
  // studioText('editor.save') or studioText('versions.version', { version: 3 }) (numbers formatted for the page's
  // language, `_one`/`_other` forms picked by `count`); index.html marks elements with data-text="…" and
  // data-text-aria-label="…". A new key goes into STUDIO_PAGE_KEYS (src/dialog/systemKeys.ts) and all five files.
  const LANGUAGE_CHOICE = 'studio.language';
  let words = {};
  function studioText(key, values = {}) {
    const language = document.documentElement.lang;
    const plural = typeof values.count === 'number' ? new Intl.PluralRules(language).select(values.count) : undefined;
    const text = (plural && (words[`${key}_${plural}`] ?? words[`${key}_other`])) ?? words[key] ?? key;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) => {
      const value = values[name];
      if (value === undefined) return whole;
      return typeof value === 'number' ? new Intl.NumberFormat(language).format(value) : String(value);
    });
  }
  window.studioText = studioText;

  /** Fetches the words in the chosen language (else the browser's, else English) and puts them into the page. */
  async function loadWords() {
    const chosen = window.localStorage.getItem(LANGUAGE_CHOICE) ?? '';
    const response = await fetch(`/studio/api/page-texts?lang=${encodeURIComponent(chosen)}`, {
      credentials: 'same-origin',
    });
    const data = await response.json();
    words = data.texts;
    document.documentElement.lang = data.language;
    for (const each of data.languages) LANGUAGE_NAMES[each.language] = each.name;
    for (const node of document.querySelectorAll('[data-text]')) node.textContent = studioText(node.dataset.text);
    for (const node of document.querySelectorAll('[data-text-aria-label]'))
      node.setAttribute('aria-label', studioText(node.dataset.textAriaLabel));
    const own = (each) => element('option', { value: each.language, lang: each.language, text: each.ownName });
    $('page-language').replaceChildren(...data.languages.map(own));
    $('page-language').value = data.language;
    const preview = $('preview-language').value;
    $('preview-language').replaceChildren(
      ...data.languages.map((each) => element('option', { value: each.language, text: each.name })),
    );
    if (preview) $('preview-language').value = preview;
  }

  function element(tag, attributes = {}, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes)) {
      if (value === undefined || value === false) continue;
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  async function api(method, path, body, headers = {}) {
    const response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: {
        // The server says its errors and the checks' problems in the page's language.
        'accept-language': document.documentElement.lang || 'en',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(session && method !== 'GET' ? { 'x-csrf-token': session.csrfToken } : {}),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    let data;
    try {
      data = text ? JSON.parse(text) : {};
    } catch {
      data = { message: studioText('unexpected') };
    }
    if (response.status === 401 && path !== '/studio/api/session') showSignIn(studioText('sessionEnded'));
    return { status: response.status, data };
  }

  // Sign-in

  function showSignIn(message) {
    session = undefined;
    document.dispatchEvent(new CustomEvent('studio:session', { detail: undefined }));
    $('sign-in').hidden = false;
    $('workspace').hidden = true;
    $('who').hidden = true;
    $('sign-out').hidden = true;
    $('sign-in-message').textContent = message || '';
    $('email').focus();
  }

  async function signedIn(data) {
    session = data;
    document.dispatchEvent(new CustomEvent('studio:session', { detail: data }));
    $('sign-in').hidden = true;
    $('workspace').hidden = false;
    $('who').hidden = false;
    const role = data.role === 'publisher' ? studioText('rolePublisher') : studioText('roleEditor');
    $('who').textContent = studioText('who', { email: data.email, role });
    $('sign-out').hidden = false;
    const canPublish = data.role === 'publisher';
    $('publish-button').disabled = !canPublish;
    $('publish-message').disabled = !canPublish;
    if (!canPublish) $('publish-hint').textContent = studioText('publish.onlyPublishers');
    await Promise.all([loadDialog(), loadVersions()]);
  }

  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const email = $('email').value.trim();
    const password = $('password').value;
    if (!email || !password) {
      $('sign-in-message').textContent = studioText('signIn.missing');
      return;
    }
    const { status, data } = await api('POST', '/studio/api/session', { email, password });
    $('password').value = '';
    if (status === 200) await signedIn(data);
    else $('sign-in-message').textContent = data.message || studioText('signIn.failed');
  });

  $('sign-out').addEventListener('click', async () => {
    await api('DELETE', '/studio/api/session');
    showSignIn(studioText('signIn.signedOut'));
  });

  // The conversation as a tree of steps

  async function loadDialog() {
    const { status, data } = await api('GET', '/studio/api/dialog');
    if (status !== 200) return;
    dialog = data;
    const byId = new Map(data.steps.map((step) => [step.id, step]));
    const shown = new Set();
    const branch = (id, via) => {
      const step = byId.get(id);
      const item = element('li');
      const button = element(
        'button',
        { type: 'button', class: 'step', 'data-step': id },
        element('span', { text: id }),
      );
      if (via) button.prepend(element('span', { class: 'via', text: `${via} → ` }));
      button.addEventListener('click', () => openStep(id));
      item.append(button);
      if (!step || shown.has(id)) {
        if (step) button.classList.add('again');
        return item;
      }
      shown.add(id);
      if (step.next.length > 0) {
        const list = element('ul');
        for (const next of step.next) list.append(branch(next.goto, next.label.replace(/^.*\./, '')));
        item.append(list);
      }
      return item;
    };
    const tree = element('ul', { class: 'tree' }, branch(data.start));
    const others = data.steps.filter((step) => !shown.has(step.id));
    for (const step of others) tree.append(branch(step.id, studioText('steps.typed')));
    $('tree').replaceChildren(tree);
    document.dispatchEvent(new CustomEvent('studio:dialog'));
  }

  // A step's texts in five columns

  function placeholders(text) {
    return [...text.matchAll(PLACEHOLDER)]
      .map((match) => match[1])
      .sort()
      .join(' ');
  }

  /** The flags a translator needs, worked out as they type. */
  function flagsOf(language, text, english) {
    const flags = [];
    if (!text.trim()) flags.push(studioText('editor.missing'));
    if (language !== 'en' && english && text.trim() && text.trim() === english.trim())
      flags.push(studioText('editor.sameAsEnglish'));
    if (language !== 'en' && english && text.length > english.length * MUCH_LONGER.ratio + MUCH_LONGER.extra)
      flags.push(studioText('editor.muchLonger'));
    if (english !== undefined && placeholders(text) !== placeholders(english)) {
      const want = placeholders(english).replace(/(\S+)/g, '{{$1}}') || studioText('editor.noPlaceholders');
      flags.push(studioText('editor.placeholders', { placeholders: want }));
    }
    return flags;
  }

  /** The text as the channels show it: **bold** and [links](https://…), nothing else interpreted. */
  function rendered(text) {
    const out = element('p', { class: 'rendered' });
    const pattern = /\*\*([^*]+)\*\*|\[([^\]]+)\]\(([^)\s]+)\)/g;
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      out.append(text.slice(last, match.index));
      if (match[1]) out.append(element('strong', { text: match[1] }));
      else out.append(element('a', { href: match[3], text: match[2], rel: 'noreferrer', target: '_blank' }));
      last = match.index + match[0].length;
    }
    out.append(text.slice(last));
    return out;
  }

  /** Opens a step's texts; `again` when it is drawn again in another language rather than chosen. */
  async function openStep(id, again = false) {
    const step = dialog.steps.find((each) => each.id === id);
    for (const button of document.querySelectorAll('.step'))
      button.setAttribute('aria-current', button.dataset.step === id ? 'true' : 'false');
    $('editor').dataset.step = id;
    $('editor-title').textContent = studioText('editor.step', { step: id });
    document.dispatchEvent(new CustomEvent('studio:step', { detail: { id, again } }));
    if (!step || step.texts.length === 0) {
      $('texts').replaceChildren(element('p', { text: studioText('editor.noTexts') }));
      return;
    }
    const keys = step.texts.map((each) => each.key);
    const { data } = await api('GET', `/studio/api/texts?keys=${encodeURIComponent(keys.join(','))}`);
    const table = element('table', { class: 'texts' });
    const head = element('tr', {}, element('th', { scope: 'col', text: studioText('editor.text') }));
    for (const language of LANGUAGES)
      head.append(element('th', { scope: 'col', lang: language, text: LANGUAGE_NAMES[language] }));
    table.append(element('thead', {}, head));
    const body = element('tbody');
    for (const { key, field } of step.texts) body.append(textRow(key, field, data.texts[key]));
    table.append(body);
    $('texts').replaceChildren(table);
  }

  function textRow(key, field, texts) {
    const row = element(
      'tr',
      {},
      element('th', { scope: 'row' }, element('code', { text: key }), element('span', { class: 'field', text: field })),
    );
    const cells = {};
    for (const language of LANGUAGES) {
      const state = { etag: texts[language]?.etag, saved: texts[language]?.text ?? '' };
      const id = `text-${key}-${language}`.replace(/[^\w-]/g, '_');
      const area = element('textarea', { id, lang: language, rows: '4', 'aria-describedby': `${id}-flags` });
      area.value = state.saved;
      const label = element('label', {
        for: id,
        class: 'visually-hidden',
        text: studioText('editor.label', { key, language: LANGUAGE_NAMES[language] }),
      });
      const flags = element('ul', { id: `${id}-flags`, class: 'flags', 'aria-live': 'polite' });
      const preview = element('div', { class: 'preview' });
      const save = element('button', { type: 'button', text: studioText('editor.save') });
      const status = element('p', { class: 'status', role: 'status' });
      const conflict = element('div', { class: 'conflict', hidden: true });
      const cell = element('td', {}, label, area, flags, preview, save, status, conflict);
      cells[language] = { area };
      let timer;
      const check = () => {
        const english = language === 'en' ? undefined : cells.en.area.value;
        const list = flagsOf(language, area.value, english);
        flags.replaceChildren(...list.map((flag) => element('li', { text: flag })));
        preview.replaceChildren(rendered(area.value));
        clearTimeout(timer);
        timer = setTimeout(async () => {
          const { status: code, data } = await api(
            'POST',
            `/studio/api/texts/${language}/${encodeURIComponent(key)}/check`,
            {
              text: area.value,
            },
          );
          if (code === 200)
            for (const problem of data.problems)
              flags.append(element('li', { class: 'problem', text: problem.message }));
        }, 400);
      };
      cells[language].check = check;
      area.addEventListener('input', () => {
        area.dataset.edited = 'true';
        check();
        if (language === 'en') for (const other of LANGUAGES.slice(1)) cells[other]?.check();
      });
      const put = async (etag) => {
        const { status: code, data } = await api(
          'PUT',
          `/studio/api/texts/${language}/${encodeURIComponent(key)}`,
          { text: area.value },
          { 'if-match': etag },
        );
        conflict.hidden = true;
        if (code === 200) {
          state.etag = data.etag;
          state.saved = area.value;
          delete area.dataset.edited;
          status.textContent = studioText('editor.saved');
        } else if (code === 409) {
          status.textContent = studioText('editor.conflict');
          const useTheirs = element('button', { type: 'button', text: studioText('editor.useTheirs') });
          const keepMine = element('button', { type: 'button', text: studioText('editor.keepMine') });
          useTheirs.addEventListener('click', () => {
            area.value = data.current.text;
            state.etag = data.current.etag;
            conflict.hidden = true;
            status.textContent = studioText('editor.theirsKept');
            check();
            area.focus();
          });
          keepMine.addEventListener('click', () => put(data.current.etag));
          conflict.replaceChildren(
            element('p', {}, element('strong', { text: `${studioText('editor.theirText')} ` }), data.current.text),
            element('p', {}, element('strong', { text: `${studioText('editor.yourText')} ` }), data.yours.text),
            useTheirs,
            keepMine,
          );
          conflict.hidden = false;
          useTheirs.focus();
        } else if (code === 422) {
          const problems = data.problems.map((problem) => problem.message).join(' ');
          status.textContent = studioText('editor.notSavedBecause', { problems });
        } else status.textContent = data.message || studioText('editor.notSaved');
      };
      save.addEventListener('click', () => put(state.etag));
      row.append(cell);
    }
    setTimeout(() => LANGUAGES.forEach((language) => cells[language].check()), 0);
    return row;
  }

  // Publishing and versions

  function problemList(problems) {
    return element(
      'ul',
      { class: 'problems' },
      ...problems.map((problem) =>
        element('li', {}, element('strong', { text: `${problem.field}: ` }), problem.message),
      ),
    );
  }

  $('publish-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const result = $('publish-result');
    result.replaceChildren(element('p', { text: studioText('publish.checking') }));
    $('publish-button').disabled = true;
    const { status, data } = await api('POST', '/studio/api/publish', { message: $('publish-message').value });
    $('publish-button').disabled = false;
    if (status === 201) {
      result.replaceChildren(element('p', { text: studioText('publish.published', { version: data.version }) }));
      $('publish-message').value = '';
      await loadVersions();
    } else if (status === 422)
      result.replaceChildren(element('p', { text: studioText('publish.fixFirst') }), problemList(data.problems));
    else result.replaceChildren(element('p', { text: data.message || studioText('publish.failed') }));
  });

  async function loadVersions() {
    const { status, data } = await api('GET', '/studio/api/versions');
    if (status !== 200) return;
    const items = data.map((version, index) => {
      const when = new Date(version.time).toLocaleString(document.documentElement.lang);
      const item = element(
        'li',
        {},
        element('strong', { text: studioText('versions.version', { version: version.version }) }),
        ` — ${studioText('versions.details', { message: version.message, author: version.author, time: when })}`,
      );
      const changes = element('button', {
        type: 'button',
        'aria-expanded': 'false',
        'aria-controls': `diff-${version.version}`,
        text: studioText('versions.changes', { version: version.version }),
      });
      const panel = element('div', { id: `diff-${version.version}`, class: 'diff', hidden: true });
      changes.addEventListener('click', async () => {
        const open = changes.getAttribute('aria-expanded') !== 'true';
        changes.setAttribute('aria-expanded', String(open));
        panel.hidden = !open;
        if (open) panel.replaceChildren(...(await versionChanges(version.version)));
      });
      item.append(' ', changes);
      if (index > 0 && session.role === 'publisher') {
        const restore = element('button', {
          type: 'button',
          text: studioText('versions.restore', { version: version.version }),
        });
        restore.addEventListener('click', async () => {
          const { status: code, data: restored } = await api('POST', `/studio/api/versions/${version.version}/restore`);
          $('publish-result').replaceChildren(
            element('p', {
              text:
                code === 201
                  ? studioText('versions.restored', { version: version.version, restored: restored.version })
                  : restored.message,
            }),
          );
          await Promise.all([loadVersions(), loadDialog()]);
        });
        item.append(' ', restore);
      }
      item.append(panel);
      return item;
    });
    $('versions').replaceChildren(...items);
  }

  /** What a version changed against the one before: each text by language, old → new, and the structure. */
  async function versionChanges(number) {
    const { status, data } = await api('GET', `/studio/api/versions/${number}/diff`);
    if (status !== 200) return [element('p', { text: data.message || studioText('versions.diff.failed') })];
    if (data.against === null) return [element('p', { text: studioText('versions.diff.first') })];
    const parts = [element('p', { text: studioText('versions.diff.against', { version: data.against }) })];
    if (data.texts.length === 0 && data.structure.length === 0)
      parts.push(element('p', { text: studioText('versions.diff.same') }));
    if (data.texts.length > 0) {
      const table = element(
        'table',
        { class: 'diff-texts' },
        element('caption', { text: studioText('versions.diff.texts') }),
        element(
          'thead',
          {},
          element(
            'tr',
            {},
            ...[
              studioText('versions.diff.language'),
              studioText('versions.diff.before'),
              studioText('versions.diff.after'),
            ].map((name) => element('th', { scope: 'col', text: name })),
          ),
        ),
      );
      // One group of rows per text: its key across the table, then each language that changed, old → new.
      for (const { key, changes } of data.texts)
        table.append(
          element(
            'tbody',
            { 'data-key': key },
            element('tr', {}, element('th', { scope: 'colgroup', colspan: '3' }, element('code', { text: key }))),
            ...changes.map((change) =>
              element(
                'tr',
                { class: 'change' },
                element('th', { scope: 'row', text: LANGUAGE_NAMES[change.language] }),
                element(
                  'td',
                  { lang: change.language },
                  change.before === null
                    ? element('em', { text: studioText('versions.diff.none') })
                    : element('del', { text: change.before }),
                ),
                element(
                  'td',
                  { lang: change.language },
                  change.after === null
                    ? element('em', { text: studioText('versions.diff.removed') })
                    : element('ins', { text: change.after }),
                ),
              ),
            ),
          ),
        );
      parts.push(table);
    }
    if (data.structure.length > 0)
      parts.push(
        element('h3', { text: studioText('versions.diff.structure') }),
        element(
          'ul',
          { class: 'diff-structure' },
          ...data.structure.map((change) =>
            element(
              'li',
              {},
              element('code', { text: change.where ? `${change.file} · ${change.where}` : change.file }),
              `: ${change.summary}`,
            ),
          ),
        ),
      );
    return parts;
  }

  // Try a message (the preview is preview.js)

  $('try-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const { status, data } = await api('POST', '/studio/api/try', { text: $('try-text').value });
    const result = $('try-result');
    if (status !== 200) return result.replaceChildren(element('p', { text: data.message || studioText('try.again') }));
    if (data.problems) return result.replaceChildren(problemList(data.problems));
    const percent = (p) =>
      new Intl.NumberFormat(document.documentElement.lang, { style: 'percent', maximumFractionDigits: 0 }).format(p);
    const [best, ...others] = data.intents;
    const name = (intent) =>
      intent
        .replace(/^topic:(.*)$/, (_, topic) => studioText('try.topic', { name: topic }))
        .replace(/^move:(.*)$/, (_, move) => studioText('try.command', { name: move }))
        .replace(/^none$/, () => studioText('try.nothing'));
    const language = LANGUAGE_NAMES[data.language.language] || studioText('try.otherLanguage');
    result.replaceChildren(
      element('p', { text: studioText('try.language', { language, sure: percent(data.language.p) }) }),
      element('p', { text: studioText('try.understood', { understood: name(best.intent), sure: percent(best.p) }) }),
      element('p', {
        text: studioText('try.didYouMean', {
          others: others.map((each) => `${name(each.intent)} (${percent(each.p)})`).join(', '),
        }),
      }),
    );
  });

  // The insights view (insights.js) builds its part of the page with the same helpers and session.
  // So do the preview pane (preview.js), the structure editing (structure.js), which also redraws the tree after a
  // change, and the picture (picture.js), which opens a step as the tree does.
  window.studioPage = {
    element,
    api,
    languages: LANGUAGES,
    languageNames: LANGUAGE_NAMES,
    problemList,
    reloadDialog: () => loadDialog(),
    openStep: (id) => openStep(id),
  };

  // Signing in with an OpenID provider, when the bot has one: a link to it, in the page's language.
  const signInOptions = () =>
    api('GET', `/studio/api/sign-in-options?lang=${encodeURIComponent(document.documentElement.lang)}`).then(
      ({ status, data }) => {
        if (status !== 200 || !data.oidc) return;
        $('sign-in-oidc').textContent = data.oidc.label;
        $('sign-in-oidc').href = data.oidc.href;
        $('sign-in-other').hidden = false;
      },
    );

  // Another language: remembered in this browser; what is on screen is drawn again in it.
  $('page-language').addEventListener('change', async () => {
    window.localStorage.setItem(LANGUAGE_CHOICE, $('page-language').value);
    await loadWords();
    await signInOptions();
    if (session) await signedIn(session);
    // The open step is drawn again unless a text in it is being changed (that would be lost).
    const step = $('editor').dataset.step;
    if (session && step && !document.querySelector('#texts textarea[data-edited]')) await openStep(step, true);
    document.dispatchEvent(new CustomEvent('studio:language'));
  });

  // The words first; a page reload keeps the session.
  loadWords().then(() => {
    void signInOptions();
    api('GET', '/studio/api/session').then(({ status, data }) => (status === 200 ? signedIn(data) : showSignIn('')));
  });
})();
