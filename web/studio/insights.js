'use strict';
// The studio's insights view: charts (Chart.js, served by the studio itself), tables with CSV export, the inbox.
(() => {
  const text = window.studioText;
  // The names are looked up when drawn, so they follow the page's language.
  const OUTCOME_NAMES = new Proxy(
    {
      solved: 'insights.outcome.solved',
      helpdeskRequests: 'insights.outcome.helpdeskRequests',
      resetsRequested: 'insights.outcome.resetsRequested',
      handovers: 'insights.outcome.handovers',
      abandoned: 'insights.outcome.abandoned',
      lockChecks: 'insights.outcome.lockChecks',
      offTopic: 'insights.outcome.offTopic',
    },
    { get: (keys, name) => text(keys[name]) },
  );
  const UNDERSTANDING_NAMES = new Proxy(
    {
      buttons: 'insights.reading.buttons',
      understood: 'insights.reading.understood',
      clarified: 'insights.reading.clarified',
      notUnderstood: 'insights.reading.notUnderstood',
    },
    { get: (keys, name) => text(keys[name]) },
  );
  const COLOURS = ['#1f5fa8', '#c0392b', '#2e7d32', '#8e44ad', '#b26a00', '#00796b', '#555555'];
  const DAY_MS = 24 * 3600 * 1000;

  let dialog;
  const charts = [];
  const $ = (id) => document.getElementById(id);

  const { element, api, languageNames: LANGUAGE_NAMES } = window.studioPage;
  const language = () => document.documentElement.lang;
  // A language of the five by its name; anything else is what the bot does not speak, counted as one.
  const languageName = (code) => LANGUAGE_NAMES[code] ?? text('inbox.otherLanguage');
  /** A day (YYYY-MM-DD) as people write it in the page's language. */
  const dayShown = (value) =>
    new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(`${value}T00:00Z`));
  /** A table cell as shown: numbers and days in the page's language; `{ csv, shown }` for a cell CSV keeps apart. */
  const shown = (value) => {
    if (typeof value === 'number') return new Intl.NumberFormat(language()).format(value);
    if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return dayShown(value);
    return String(value?.shown ?? value);
  };

  const day = (time) => new Date(time).toISOString().slice(0, 10);

  // Views

  function show(view) {
    const insights = view === 'insights';
    $('workspace').hidden = insights;
    $('insights').hidden = !insights;
    $('view-content').setAttribute('aria-pressed', String(!insights));
    $('view-insights').setAttribute('aria-pressed', String(insights));
    if (insights) void refresh();
  }

  document.addEventListener('studio:session', (event) => {
    $('views').hidden = !event.detail;
    if (!event.detail) $('insights').hidden = true;
  });
  $('view-content').addEventListener('click', () => show('content'));
  $('view-insights').addEventListener('click', () => show('insights'));
  document.addEventListener('studio:language', () => {
    if (!$('insights').hidden) show('insights');
  });

  $('range-to').value = day(Date.now());
  $('range-from').value = day(Date.now() - 29 * DAY_MS);
  $('range-form').addEventListener('submit', (event) => {
    event.preventDefault();
    void refresh();
  });

  async function refresh() {
    const from = $('range-from').value;
    const to = $('range-to').value;
    if (!from || !to || from > to) {
      $('range-message').textContent = text('insights.badRange');
      return;
    }
    $('range-message').textContent = text('insights.loading');
    const [report, inbox, steps] = await Promise.all([
      api('GET', `/studio/api/insights?from=${from}&to=${to}`),
      api('GET', '/studio/api/inbox'),
      dialog ? Promise.resolve({ status: 200, data: dialog }) : api('GET', '/studio/api/dialog'),
    ]);
    if (report.status !== 200) {
      $('range-message').textContent = report.data.message || text('insights.failed');
      return;
    }
    if (steps.status === 200) dialog = steps.data;
    $('range-message').textContent =
      text('insights.summary', { count: report.data.conversations, from: dayShown(from), to: dayShown(to) }) +
      (report.data.conversations === 0 ? ` ${text('insights.nothingYet')}` : '');
    drawPanels(report.data);
    drawInbox(inbox.status === 200 ? inbox.data : []);
  }

  // Tables and CSV

  function csvOf(rows) {
    const cell = (value) => {
      const written = String(value?.csv ?? value ?? '');
      return /[",\n\r]/.test(written) ? `"${written.replace(/"/g, '""')}"` : written;
    };
    return rows.map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
  }

  function download(name, rows) {
    const url = URL.createObjectURL(new Blob([csvOf(rows)], { type: 'text/csv;charset=utf-8' }));
    const link = element('a', { href: url, download: name });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }

  /** A table of the rows (the first is the header) with a button that downloads it as CSV. */
  function table(id, caption, rows) {
    const head = element(
      'thead',
      {},
      element('tr', {}, ...rows[0].map((name) => element('th', { scope: 'col', text: name }))),
    );
    const body = element(
      'tbody',
      {},
      ...rows.slice(1).map((row) => element('tr', {}, ...row.map((value) => element('td', { text: shown(value) })))),
    );
    const button = element('button', { type: 'button', 'data-csv': id, text: text('insights.download', { caption }) });
    button.addEventListener('click', () => download(`${id}-${$('range-from').value}-${$('range-to').value}.csv`, rows));
    return element(
      'div',
      { class: 'table' },
      element('table', { id: `table-${id}` }, element('caption', { text: caption }), head, body),
      button,
    );
  }

  function chart(id, label, config) {
    const canvas = element('canvas', { id: `chart-${id}`, role: 'img', 'aria-label': label });
    const holder = element('div', { class: 'chart' }, canvas);
    charts.push(
      () => new window.Chart(canvas, { ...config, options: { animation: false, responsive: true, ...config.options } }),
    );
    return holder;
  }

  function panel(title, ...children) {
    const id = `panel-${title.toLowerCase().replace(/[^a-z]+/g, '-')}`;
    return element(
      'section',
      { class: 'panel', 'aria-labelledby': id },
      element('h3', { id, text: title }),
      ...children,
    );
  }

  const keysOf = (records) => [...new Set(records.flatMap((record) => Object.keys(record)))].sort();
  const dataset = (label, data, index) => ({
    label,
    data,
    backgroundColor: COLOURS[index % COLOURS.length],
    borderColor: COLOURS[index % COLOURS.length],
  });
  const share = (count, total) => ({
    csv: total ? `${Math.round((count / total) * 1000) / 10} %` : '0 %',
    shown: new Intl.NumberFormat(language(), { style: 'percent', maximumFractionDigits: 1 }).format(
      total ? count / total : 0,
    ),
  });

  function drawPanels(report) {
    while (charts.length) charts.pop();
    for (const existing of Object.values(window.Chart?.instances ?? {})) existing.destroy();
    const days = report.days.map((each) => dayShown(each.day));
    const languages = keysOf(report.days.map((each) => each.byLanguage));
    const channels = keysOf(report.days.map((each) => each.byChannel));
    const stacked = {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    };

    const perDay = panel(
      text('insights.perDay'),
      chart('languages', text('insights.perDayByLanguage'), {
        type: 'bar',
        data: {
          labels: days,
          datasets: languages.map((language, index) =>
            dataset(
              languageName(language),
              report.days.map((each) => each.byLanguage[language] ?? 0),
              index,
            ),
          ),
        },
        options: stacked,
      }),
      chart('channels', text('insights.perDayByChannel'), {
        type: 'bar',
        data: {
          labels: days,
          datasets: channels.map((channel, index) =>
            dataset(
              channel,
              report.days.map((each) => each.byChannel[channel] ?? 0),
              index + 3,
            ),
          ),
        },
        options: stacked,
      }),
      table('conversations', text('insights.perDay'), [
        [
          text('insights.column.day'),
          text('insights.column.conversations'),
          ...languages.map((each) => languageName(each)),
          ...channels,
        ],
        ...report.days.map((each) => [
          each.day,
          each.conversations,
          ...languages.map((language) => each.byLanguage[language] ?? 0),
          ...channels.map((channel) => each.byChannel[channel] ?? 0),
        ]),
      ]),
    );

    const outcomes = Object.keys(OUTCOME_NAMES);
    const outcomePanel = panel(
      text('insights.outcomes'),
      chart('outcomes', text('insights.outcomesChart'), {
        type: 'bar',
        data: {
          labels: outcomes.map((each) => OUTCOME_NAMES[each]),
          datasets: [
            dataset(
              text('insights.shareOfConversations'),
              outcomes.map((each) => (report.conversations ? (report.outcomes[each] / report.conversations) * 100 : 0)),
              0,
            ),
          ],
        },
        options: { indexAxis: 'y', scales: { x: { beginAtZero: true, max: 100 } } },
      }),
      table('outcomes', text('insights.outcomes'), [
        [text('insights.column.outcome'), text('insights.column.conversations'), text('insights.column.share')],
        ...outcomes.map((each) => [
          OUTCOME_NAMES[each],
          report.outcomes[each],
          share(report.outcomes[each], report.conversations),
        ]),
      ]),
    );

    const topicRows = Object.entries(report.topicsByLanguage).flatMap(([language, topics]) =>
      Object.entries(topics).map(([topic, count]) => [languageName(language), topic, count]),
    );
    topicRows.sort((a, b) => a[0].localeCompare(b[0]) || b[2] - a[2]);
    const topics = Object.keys(report.byTopic).sort((a, b) => report.byTopic[b] - report.byTopic[a]);
    const topicPanel = panel(
      text('insights.topics'),
      chart('topics', text('insights.topicsChart'), {
        type: 'bar',
        data: {
          labels: topics,
          datasets: Object.keys(report.topicsByLanguage)
            .sort()
            .map((language, index) =>
              dataset(
                languageName(language),
                topics.map((topic) => report.topicsByLanguage[language][topic] ?? 0),
                index,
              ),
            ),
        },
        options: stacked,
      }),
      table('topics', text('insights.topics'), [
        [text('insights.column.language'), text('insights.column.topic'), text('insights.column.conversations')],
        ...topicRows,
      ]),
    );

    const funnelTopics = Object.keys(report.funnel).sort((a, b) => report.funnel[b].entered - report.funnel[a].entered);
    const stages = ['entered', 'answered', 'solved', 'escalated'];
    const funnelPanel = panel(
      text('insights.funnel'),
      chart('funnel', text('insights.funnelChart'), {
        type: 'bar',
        data: {
          labels: funnelTopics,
          datasets: stages.map((stage, index) =>
            dataset(
              text(`insights.stage.${stage}`),
              funnelTopics.map((topic) => report.funnel[topic][stage]),
              index,
            ),
          ),
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      table('funnel', text('insights.funnel'), [
        [text('insights.column.topic'), ...stages.map((stage) => text(`insights.stage.${stage}`))],
        ...funnelTopics.map((topic) => [topic, ...stages.map((stage) => report.funnel[topic][stage])]),
      ]),
    );

    const stopPanel = panel(
      text('insights.stops'),
      chart('stops', text('insights.stopsChart'), {
        type: 'bar',
        data: {
          labels: report.stops.map((stop) => stop.step),
          datasets: [
            dataset(
              text('insights.abandonedHere'),
              report.stops.map((stop) => stop.count),
              1,
            ),
          ],
        },
        options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      table('stops', text('insights.stops'), [
        [text('insights.column.step'), text('insights.column.abandonedThere')],
        ...report.stops.map((stop) => [stop.step, stop.count]),
      ]),
    );

    const kinds = Object.keys(UNDERSTANDING_NAMES);
    const understandingPanel = panel(
      text('insights.understanding'),
      chart('understanding', text('insights.understandingChart'), {
        type: 'line',
        data: {
          labels: days,
          datasets: kinds.map((kind, index) =>
            dataset(
              UNDERSTANDING_NAMES[kind],
              report.days.map((each) => each.understanding[kind]),
              index,
            ),
          ),
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      table('understanding', text('insights.understandingTable'), [
        [text('insights.column.day'), ...kinds.map((kind) => UNDERSTANDING_NAMES[kind])],
        ...report.days.map((each) => [each.day, ...kinds.map((kind) => each.understanding[kind])]),
      ]),
    );

    $('insight-panels').replaceChildren(perDay, outcomePanel, topicPanel, funnelPanel, stopPanel, understandingPanel);
    if (window.Chart) for (const draw of charts) draw();
  }

  // The inbox

  function drawInbox(groups) {
    const topics = dialog?.topics ?? [];
    const offTopic = dialog?.offTopic;
    $('inbox-message').textContent = groups.length === 0 ? text('inbox.empty') : '';
    $('inbox').replaceChildren(
      ...groups.map((group) => {
        const selectId = `teach-${group.id}`;
        const select = element(
          'select',
          { id: selectId },
          ...topics
            .filter((topic) => topic !== offTopic)
            .map((topic) => element('option', { value: topic, text: topic })),
        );
        const result = element('p', { role: 'status', 'aria-live': 'polite' });
        const act = async (path, body, done) => {
          const answer = await api('POST', `/studio/api/inbox/${encodeURIComponent(group.id)}/${path}`, body);
          if (answer.status >= 300) {
            const problems = (answer.data.problems ?? []).map((problem) => problem.message).join('; ');
            result.textContent = `${answer.data.message ?? text('inbox.failed')}${problems ? ` ${problems}` : ''}`;
            return;
          }
          result.textContent = done;
          item.classList.add('done');
          for (const button of item.querySelectorAll('button, select')) button.disabled = true;
        };
        // A language the bot does not speak: there is no understanding file to teach it to, only Dismiss.
        const teachable = group.language in LANGUAGE_NAMES && group.language !== 'other';
        select.disabled = !teachable;
        const teach = element('button', { type: 'button', text: text('inbox.teach'), disabled: !teachable });
        teach.addEventListener('click', () =>
          act('teach', { topic: select.value }, text('inbox.taught', { topic: select.value })),
        );
        const off = element('button', {
          type: 'button',
          text: text('inbox.offTopic'),
          disabled: !offTopic || !teachable,
        });
        off.addEventListener('click', () => act('teach', { topic: offTopic }, text('inbox.markedOffTopic')));
        const dismiss = element('button', { type: 'button', text: text('inbox.dismiss') });
        dismiss.addEventListener('click', () => act('dismiss', undefined, text('inbox.dismissed')));
        const item = element(
          'li',
          { class: 'inbox-group' },
          element('p', { class: 'inbox-text', lang: teachable ? group.language : undefined, text: group.text }),
          element('p', {
            class: 'hint',
            text: text('inbox.seen', {
              language: languageName(group.language),
              count: group.count,
              time: new Intl.DateTimeFormat(language(), { dateStyle: 'medium', timeStyle: 'short' }).format(
                new Date(group.lastSeen),
              ),
            }),
          }),
          teachable
            ? undefined
            : element('p', {
                class: 'hint',
                text: text('inbox.otherLanguageHint'),
              }),
          (group.examples ?? []).length > 1
            ? element(
                'ul',
                { class: 'examples' },
                ...group.examples.map((each) =>
                  element('li', { lang: teachable ? group.language : undefined, text: each }),
                ),
              )
            : undefined,
          element('label', { for: selectId, text: text('inbox.topicLabel') }),
          select,
          teach,
          off,
          dismiss,
          result,
        );
        return item;
      }),
    );
  }
})();
