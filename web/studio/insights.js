'use strict';
// The studio's insights view: charts (Chart.js, served by the studio itself), tables with CSV export, the inbox.
(() => {
  const LANGUAGE_NAMES = {
    en: 'English',
    es: 'Spanish',
    it: 'Italian',
    fr: 'French',
    de: 'German',
    // Messages in a language the bot does not speak (answered in English with the five to choose from).
    other: 'Other language',
  };
  const OUTCOME_NAMES = {
    solved: 'Solved',
    helpdeskRequests: 'Helpdesk request filed',
    resetsRequested: 'Reset e-mail sent',
    handovers: 'Asked for a person',
    abandoned: 'Abandoned',
    lockChecks: 'Lock checked',
    offTopic: 'Off-topic question',
  };
  const UNDERSTANDING_NAMES = {
    buttons: 'Buttons',
    understood: 'Understood',
    clarified: 'Did you mean',
    notUnderstood: 'Not understood',
  };
  const COLOURS = ['#1f5fa8', '#c0392b', '#2e7d32', '#8e44ad', '#b26a00', '#00796b', '#555555'];
  const DAY_MS = 24 * 3600 * 1000;

  let dialog;
  const charts = [];
  const $ = (id) => document.getElementById(id);

  const { element, api } = window.studioPage;

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
      $('range-message').textContent = 'Choose a first day that is not after the last day.';
      return;
    }
    $('range-message').textContent = 'Loading…';
    const [report, inbox, steps] = await Promise.all([
      api('GET', `/studio/api/insights?from=${from}&to=${to}`),
      api('GET', '/studio/api/inbox'),
      dialog ? Promise.resolve({ status: 200, data: dialog }) : api('GET', '/studio/api/dialog'),
    ]);
    if (report.status !== 200) {
      $('range-message').textContent = report.data.message || 'The insights could not be loaded.';
      return;
    }
    if (steps.status === 200) dialog = steps.data;
    $('range-message').textContent =
      `${report.data.conversations} conversations from ${from} to ${to}.` +
      (report.data.conversations === 0 ? ' Nothing to show yet.' : '');
    drawPanels(report.data);
    drawInbox(inbox.status === 200 ? inbox.data : []);
  }

  // Tables and CSV

  function csvOf(rows) {
    const cell = (value) => {
      const text = String(value ?? '');
      return /[",\n\r]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
      ...rows.slice(1).map((row) => element('tr', {}, ...row.map((value) => element('td', { text: String(value) })))),
    );
    const button = element('button', { type: 'button', 'data-csv': id, text: `Download "${caption}" as CSV` });
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
  const share = (count, total) => (total ? `${Math.round((count / total) * 1000) / 10} %` : '0 %');

  function drawPanels(report) {
    while (charts.length) charts.pop();
    for (const existing of Object.values(window.Chart?.instances ?? {})) existing.destroy();
    const days = report.days.map((each) => each.day);
    const languages = keysOf(report.days.map((each) => each.byLanguage));
    const channels = keysOf(report.days.map((each) => each.byChannel));
    const stacked = {
      scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } },
    };

    const perDay = panel(
      'Conversations per day',
      chart('languages', 'Conversations per day by language', {
        type: 'bar',
        data: {
          labels: days,
          datasets: languages.map((language, index) =>
            dataset(
              LANGUAGE_NAMES[language] ?? language,
              report.days.map((each) => each.byLanguage[language] ?? 0),
              index,
            ),
          ),
        },
        options: stacked,
      }),
      chart('channels', 'Conversations per day by channel', {
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
      table('conversations', 'Conversations per day', [
        ['Day', 'Conversations', ...languages.map((each) => LANGUAGE_NAMES[each] ?? each), ...channels],
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
      'Outcomes',
      chart('outcomes', 'Outcomes as a share of conversations', {
        type: 'bar',
        data: {
          labels: outcomes.map((each) => OUTCOME_NAMES[each]),
          datasets: [
            dataset(
              '% of conversations',
              outcomes.map((each) => (report.conversations ? (report.outcomes[each] / report.conversations) * 100 : 0)),
              0,
            ),
          ],
        },
        options: { indexAxis: 'y', scales: { x: { beginAtZero: true, max: 100 } } },
      }),
      table('outcomes', 'Outcomes', [
        ['Outcome', 'Conversations', 'Share of conversations'],
        ...outcomes.map((each) => [
          OUTCOME_NAMES[each],
          report.outcomes[each],
          share(report.outcomes[each], report.conversations),
        ]),
      ]),
    );

    const topicRows = Object.entries(report.topicsByLanguage).flatMap(([language, topics]) =>
      Object.entries(topics).map(([topic, count]) => [LANGUAGE_NAMES[language] ?? language, topic, count]),
    );
    topicRows.sort((a, b) => a[0].localeCompare(b[0]) || b[2] - a[2]);
    const topics = Object.keys(report.byTopic).sort((a, b) => report.byTopic[b] - report.byTopic[a]);
    const topicPanel = panel(
      'Top topics by language',
      chart('topics', 'Conversations per topic, by language', {
        type: 'bar',
        data: {
          labels: topics,
          datasets: Object.keys(report.topicsByLanguage)
            .sort()
            .map((language, index) =>
              dataset(
                LANGUAGE_NAMES[language] ?? language,
                topics.map((topic) => report.topicsByLanguage[language][topic] ?? 0),
                index,
              ),
            ),
        },
        options: stacked,
      }),
      table('topics', 'Top topics by language', [['Language', 'Topic', 'Conversations'], ...topicRows]),
    );

    const funnelTopics = Object.keys(report.funnel).sort((a, b) => report.funnel[b].entered - report.funnel[a].entered);
    const stages = ['entered', 'answered', 'solved', 'escalated'];
    const funnelPanel = panel(
      'From question to outcome, per topic',
      chart('funnel', 'Per topic: conversations that entered, were answered, were solved, were escalated', {
        type: 'bar',
        data: {
          labels: funnelTopics,
          datasets: stages.map((stage, index) =>
            dataset(
              stage,
              funnelTopics.map((topic) => report.funnel[topic][stage]),
              index,
            ),
          ),
        },
        options: { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      table('funnel', 'From question to outcome, per topic', [
        ['Topic', 'Entered', 'Answered', 'Solved', 'Escalated'],
        ...funnelTopics.map((topic) => [topic, ...stages.map((stage) => report.funnel[topic][stage])]),
      ]),
    );

    const stopPanel = panel(
      'Where candidates stop',
      chart('stops', 'The last step before abandoning, ranked', {
        type: 'bar',
        data: {
          labels: report.stops.map((stop) => stop.step),
          datasets: [
            dataset(
              'Abandoned here',
              report.stops.map((stop) => stop.count),
              1,
            ),
          ],
        },
        options: { indexAxis: 'y', scales: { x: { beginAtZero: true, ticks: { precision: 0 } } } },
      }),
      table('stops', 'Where candidates stop', [
        ['Step', 'Abandoned there'],
        ...report.stops.map((stop) => [stop.step, stop.count]),
      ]),
    );

    const kinds = Object.keys(UNDERSTANDING_NAMES);
    const understandingPanel = panel(
      'Understanding over time',
      chart('understanding', 'Messages per day by how the bot read them', {
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
      table('understanding', 'Understanding per day', [
        ['Day', ...kinds.map((kind) => UNDERSTANDING_NAMES[kind])],
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
    $('inbox-message').textContent = groups.length === 0 ? 'Nothing in the inbox.' : '';
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
            result.textContent = `${answer.data.message ?? 'That did not work.'}${problems ? ` ${problems}` : ''}`;
            return;
          }
          result.textContent = done;
          item.classList.add('done');
          for (const button of item.querySelectorAll('button, select')) button.disabled = true;
        };
        // A language the bot does not speak: there is no understanding file to teach it to, only Dismiss.
        const teachable = group.language in LANGUAGE_NAMES && group.language !== 'other';
        select.disabled = !teachable;
        const teach = element('button', { type: 'button', text: 'Teach', disabled: !teachable });
        teach.addEventListener('click', () =>
          act('teach', { topic: select.value }, `Taught as "${select.value}" in the draft; publish to apply it.`),
        );
        const off = element('button', { type: 'button', text: 'Mark as off-topic', disabled: !offTopic || !teachable });
        off.addEventListener('click', () =>
          act('teach', { topic: offTopic }, 'Marked as off-topic in the draft; publish to apply it.'),
        );
        const dismiss = element('button', { type: 'button', text: 'Dismiss' });
        dismiss.addEventListener('click', () => act('dismiss', undefined, 'Dismissed.'));
        const item = element(
          'li',
          { class: 'inbox-group' },
          element('p', { class: 'inbox-text', lang: teachable ? group.language : undefined, text: group.text }),
          element('p', {
            class: 'hint',
            text:
              `${LANGUAGE_NAMES[group.language] ?? group.language} · ${group.count} × · ` +
              `last seen ${group.lastSeen.slice(0, 16).replace('T', ' ')}`,
          }),
          teachable
            ? undefined
            : element('p', {
                class: 'hint',
                text: 'Written in a language the bot does not speak: it answered with the languages it speaks.',
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
          element('label', { for: selectId, text: 'Topic it should have gone to' }),
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
