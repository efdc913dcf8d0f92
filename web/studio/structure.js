'use strict';
// The studio's structure editing: a step's choices, questions and yes/no branches, renaming and removing a step,
// what candidates type for it (its examples per language), and adding a menu topic. Plain DOM, like studio.js;
// every change goes to the JSON API (api/studio.v1.yaml) with the etag it was read with.
(() => {
  const { element, api, languages: LANGUAGES, languageNames, problemList, reloadDialog } = window.studioPage;
  const studioText = window.studioText;
  const $ = (id) => document.getElementById(id);
  const NAME = /^[A-Za-z][A-Za-z0-9]*$/;

  let structure;

  async function loadStructure() {
    const { status, data } = await api('GET', '/studio/api/structure');
    if (status === 200) structure = data;
    return structure;
  }

  const lines = (text) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean);

  /** A box per language, labelled by `what(name of the language)`; returns the boxes by language. */
  function fiveBoxes(container, idPrefix, what, { rows = 2, values = {} } = {}) {
    const boxes = {};
    const grid = element('div', { class: 'five' });
    for (const language of LANGUAGES) {
      const id = `${idPrefix}-${language}`;
      const box = element('textarea', { id, lang: language, rows: String(rows) });
      box.value = values[language] ?? '';
      grid.append(element('div', {}, element('label', { for: id, text: what(languageNames[language]) }), box));
      boxes[language] = box;
    }
    container.append(grid);
    return boxes;
  }

  /** One taken message: its words, its language, whether it is an example or a test message, and its topics. */
  function captured(capture) {
    const values = {
      text: capture.text,
      language: languageNames[capture.language],
      from: capture.from,
      topic: capture.topic,
    };
    return capture.kind === 'held-out'
      ? studioText('structure.capturedTest', values)
      : studioText('structure.capturedExample', values);
  }

  /** The warning for messages a changed topic takes from other topics, each named with its language and topic. */
  function captureWarning(captures) {
    if (!captures || captures.length === 0) return element('p', { text: studioText('structure.noCaptures') });
    const shown = captures.slice(0, 30);
    return element(
      'div',
      { class: 'capture', role: 'alert' },
      element('p', { text: studioText('structure.captures', { count: captures.length }) }),
      element('ul', {}, ...shown.map((capture) => element('li', { lang: capture.language, text: captured(capture) }))),
      captures.length > shown.length
        ? element('p', { text: studioText('structure.moreCaptures', { count: captures.length - shown.length }) })
        : null,
    );
  }

  /** What a structure call answered, in plain words. */
  function outcome(target, status, data, saved) {
    if (status === 200 || status === 201)
      target.replaceChildren(element('p', { text: saved }), captureWarning(data.captures));
    else if (status === 409) target.replaceChildren(element('p', { text: studioText('structure.conflict') }));
    else if (status === 422)
      target.replaceChildren(element('p', { text: studioText('structure.fixFirst') }), problemList(data.problems));
    else target.replaceChildren(element('p', { text: data.message || studioText('editor.notSaved') }));
  }

  function targetSelect(id, label, value, { none } = {}) {
    const select = element('select', { id });
    if (none) select.append(element('option', { value: '', text: none }));
    for (const step of Object.keys(structure.steps).sort())
      select.append(element('option', { value: step, text: step, selected: step === value }));
    return [element('label', { for: id, text: label }), select];
  }

  // A step's structure

  /** The step whose structure is shown, and the page's language it is drawn in. */
  let shownStep = { id: undefined, language: undefined };

  async function openStructure(id) {
    const panel = $('structure');
    panel.hidden = false;
    shownStep = { id, language: document.documentElement.lang };
    await loadStructure();
    const entry = structure.steps[id];
    if (!entry) return panel.replaceChildren();
    const step = JSON.parse(JSON.stringify(entry.step));
    const isForm = Array.isArray(step.ask);
    const texts = {};
    const heading = element('h3', { id: 'structure-title', text: studioText('structure.title', { step: id }) });

    const save = async () => {
      const { status, data } = await api(
        'PUT',
        `/studio/api/steps/${id}`,
        { step, ...(Object.keys(texts).length ? { texts } : {}) },
        { 'if-match': entry.etag },
      );
      if (status === 200 || status === 409) {
        await reloadDialog();
        await openStructure(id);
        $('structure-title').focus();
      }
      outcome($('structure-result'), status, data, studioText('editor.saved'));
    };

    const list = isForm ? questionList(step, texts) : choiceList(id, step, texts);
    const saveButton = element('button', { type: 'button', text: studioText('structure.save') });
    saveButton.addEventListener('click', save);

    panel.replaceChildren(
      heading,
      element('p', {
        class: 'hint',
        text: isForm ? studioText('structure.formHint') : studioText('structure.choicesHint'),
      }),
      list,
      isForm ? null : yesNo(step),
      saveButton,
      element('div', { id: 'structure-result', role: 'status', 'aria-live': 'polite' }),
      renameAndRemove(id, entry),
      examplesEditor(id),
    );
    heading.tabIndex = -1;
  }

  /** Moves item `index` of `items` by `by` (−1 up, +1 down); the list is drawn again. */
  function moved(items, index, by) {
    const to = index + by;
    if (to < 0 || to >= items.length) return false;
    [items[index], items[to]] = [items[to], items[index]];
    return true;
  }

  function rowButtons(items, index, name, redraw) {
    // The visible words begin the accessible name, which says what they act on.
    const button = (text, label) => element('button', { type: 'button', text, 'aria-label': label });
    const up = button(studioText('structure.moveUp'), studioText('structure.moveUpLabel', { name }));
    const down = button(studioText('structure.moveDown'), studioText('structure.moveDownLabel', { name }));
    const remove = button(studioText('structure.remove'), studioText('structure.removeLabel', { name }));
    up.addEventListener('click', () => moved(items, index, -1) && redraw(index - 1, 'up'));
    down.addEventListener('click', () => moved(items, index, 1) && redraw(index + 1, 'down'));
    remove.addEventListener('click', () => {
      items.splice(index, 1);
      redraw(Math.min(index, items.length - 1), 'remove');
    });
    return [up, down, remove];
  }

  function choiceList(id, step, texts) {
    step.choices ??= [];
    const box = element('div', { class: 'choices' });
    const draw = (focusIndex, which) => {
      const rows = step.choices.map((choice, index) => {
        const selectId = `choice-goto-${index}`;
        const leadsTo = studioText('structure.leadsTo', { number: index + 1, label: choice.label });
        const [label, select] = targetSelect(selectId, leadsTo, choice.goto);
        select.addEventListener('change', () => (choice.goto = select.value));
        const name = studioText('structure.buttonName', { label: choice.label });
        return element('li', {}, label, select, ...rowButtons(step.choices, index, name, draw));
      });
      box.replaceChildren(
        element('h4', { text: studioText('structure.buttons') }),
        element('ol', {}, ...rows),
        addChoice(id, step, texts, () => draw(step.choices.length - 1, 'up')),
      );
      const row = which ? box.querySelectorAll('li')[focusIndex] : undefined;
      row?.querySelector(which === 'down' ? 'button:nth-of-type(2)' : 'button')?.focus();
    };
    draw();
    return box;
  }

  function addChoice(id, step, texts, added) {
    const form = element('fieldset', {}, element('legend', { text: studioText('structure.addButton') }));
    const [label, select] = targetSelect(`new-choice-goto-${id}`, studioText('structure.newLeadsTo'), '');
    form.append(label, select);
    const boxes = fiveBoxes(form, `new-choice-${id}`, (language) => studioText('structure.newButtonIn', { language }), {
      rows: 1,
    });
    const add = element('button', { type: 'button', text: studioText('structure.addTheButton') });
    add.addEventListener('click', () => {
      const key = `${id}.choice.${select.value}`;
      texts[key] = Object.fromEntries(LANGUAGES.map((language) => [language, boxes[language].value.trim()]));
      step.choices.push({ label: key, goto: select.value });
      added();
    });
    form.append(add);
    return form;
  }

  function yesNo(step) {
    const box = element('div', { class: 'yes-no' });
    const picks = { yes: studioText('structure.typedYes'), no: studioText('structure.typedNo') };
    for (const answer of ['yes', 'no']) {
      const [label, select] = targetSelect(`typed-${answer}`, picks[answer], step[answer], {
        none: studioText('structure.asksAgain'),
      });
      select.addEventListener('change', () => {
        if (select.value) step[answer] = select.value;
        else delete step[answer];
      });
      box.append(label, select);
    }
    return box;
  }

  function questionList(step, texts) {
    const box = element('div', { class: 'questions' });
    const validators = Object.keys(structure.validators);
    const draw = (focusIndex, which) => {
      const rows = step.ask.map((question, index) => {
        const selectId = `question-validator-${index}`;
        const select = element('select', { id: selectId });
        for (const name of validators)
          select.append(element('option', { value: name, text: name, selected: name === question.validator }));
        select.addEventListener('change', () => (question.validator = select.value));
        return element(
          'li',
          {},
          element('code', { text: question.slot }),
          ' ',
          element('label', { for: selectId, text: studioText('structure.checkedAsFor', { slot: question.slot }) }),
          select,
          ...rowButtons(step.ask, index, studioText('structure.questionName', { slot: question.slot }), draw),
        );
      });
      box.replaceChildren(
        element('h4', { text: studioText('structure.questions') }),
        element('ol', {}, ...rows),
        addQuestion(step, texts, draw),
      );
      if (which) box.querySelectorAll('li')[focusIndex]?.querySelector('button')?.focus();
    };
    draw();
    return box;
  }

  function addQuestion(step, texts, redraw) {
    const form = element('fieldset', {}, element('legend', { text: studioText('structure.addQuestion') }));
    const slot = element('input', { id: 'new-question-slot', type: 'text' });
    const validator = element('select', { id: 'new-question-validator' });
    for (const name of Object.keys(structure.validators))
      validator.append(element('option', { value: name, text: name }));
    form.append(
      element('label', { for: 'new-question-slot', text: studioText('structure.answerNamed') }),
      slot,
      element('label', { for: 'new-question-validator', text: studioText('structure.checkedAs') }),
      validator,
    );
    const boxes = fiveBoxes(form, 'new-question', (language) => studioText('structure.newQuestionIn', { language }), {
      rows: 2,
    });
    const add = element('button', { type: 'button', text: studioText('structure.addTheQuestion') });
    add.addEventListener('click', () => {
      const key = `ask.${slot.value.trim()}`;
      texts[key] = Object.fromEntries(LANGUAGES.map((language) => [language, boxes[language].value.trim()]));
      step.ask.push({ slot: slot.value.trim(), prompt: key, validator: validator.value });
      redraw(step.ask.length - 1, 'up');
    });
    form.append(add);
    return form;
  }

  function renameAndRemove(id, entry) {
    const form = element('fieldset', {}, element('legend', { text: studioText('structure.renameOrRemove') }));
    const name = element('input', { id: 'rename-to', type: 'text', value: id });
    const rename = element('button', { type: 'button', text: studioText('structure.rename') });
    const remove = element('button', { type: 'button', text: studioText('structure.removeStep', { step: id }) });
    const result = element('div', { role: 'status', 'aria-live': 'polite' });
    rename.addEventListener('click', async () => {
      const to = name.value.trim();
      const { status, data } = await api('POST', `/studio/api/steps/${id}/rename`, { to }, { 'if-match': entry.etag });
      outcome(result, status, data, studioText('structure.renamed', { step: to }));
      if (status === 200) {
        await reloadDialog();
        await openStructure(to);
      }
    });
    remove.addEventListener('click', async () => {
      const { status, data } = await api('DELETE', `/studio/api/steps/${id}`, undefined, { 'if-match': entry.etag });
      outcome(result, status, data, studioText('structure.removed', { step: id }));
      if (status === 200) {
        await reloadDialog();
        $('structure').hidden = true;
      }
    });
    form.append(
      element('label', { for: 'rename-to', text: studioText('structure.newName') }),
      name,
      rename,
      remove,
      result,
    );
    return form;
  }

  function examplesEditor(topic) {
    const box = element(
      'fieldset',
      {},
      element('legend', { text: studioText('structure.examples') }),
      element('p', { class: 'hint', text: studioText('structure.examplesHint') }),
    );
    const result = element('div', { role: 'status', 'aria-live': 'polite' });
    const boxes = fiveBoxes(box, `examples-${topic}`, (language) => studioText('structure.examplesIn', { language }), {
      rows: 6,
    });
    const etags = {};
    for (const language of LANGUAGES)
      api('GET', `/studio/api/examples/${language}/${topic}`).then(({ status, data }) => {
        if (status !== 200) return;
        boxes[language].value = data.examples.join('\n');
        etags[language] = data.etag;
      });
    const save = element('button', { type: 'button', text: studioText('structure.saveExamples') });
    save.addEventListener('click', async () => {
      const captures = [];
      for (const language of LANGUAGES) {
        const { status, data } = await api(
          'PUT',
          `/studio/api/examples/${language}/${topic}`,
          { examples: lines(boxes[language].value) },
          { 'if-match': etags[language] },
        );
        if (status !== 200) return outcome(result, status, data, '');
        etags[language] = data.etag;
        captures.push(...data.captures);
      }
      outcome(result, 200, { captures }, studioText('structure.examplesSaved'));
    });
    box.append(save, result);
    return box;
  }

  // A new menu topic

  /** The form for a new menu topic; `kept` holds what was typed into it before it was drawn again. */
  async function openNewTopic(kept = {}) {
    await loadStructure();
    const panel = $('new-topic');
    panel.hidden = false;
    const form = element('form', { id: 'new-topic-form', novalidate: true });
    const name = element('input', { id: 'new-topic-name', type: 'text', required: true, value: kept.name });
    form.append(element('label', { for: 'new-topic-name', text: studioText('newTopic.name') }), name);
    const label = fiveBoxes(form, 'new-topic-label', (language) => studioText('newTopic.buttonIn', { language }), {
      rows: 1,
      values: kept.label,
    });
    const says = fiveBoxes(form, 'new-topic-says', (language) => studioText('newTopic.saysIn', { language }), {
      rows: 3,
      values: kept.says,
    });
    form.append(element('p', { class: 'hint', text: studioText('newTopic.examplesHint') }));
    const examples = fiveBoxes(
      form,
      'new-topic-examples',
      (language) => studioText('newTopic.examplesIn', { language }),
      { rows: 6, values: kept.examples },
    );
    const check = element('button', { type: 'button', text: studioText('newTopic.check') });
    const add = element('button', { type: 'submit', text: studioText('newTopic.add') });
    const result = element('div', { id: 'new-topic-result', role: 'status', 'aria-live': 'polite' });
    form.append(check, add, result);

    const changes = () => {
      const id = name.value.trim();
      const start = structure.steps[structure.start].step;
      const texts = {
        [`${id}.body`]: Object.fromEntries(LANGUAGES.map((language) => [language, says[language].value.trim()])),
        [`${structure.start}.choice.${id}`]: Object.fromEntries(
          LANGUAGES.map((language) => [language, label[language].value.trim()]),
        ),
      };
      return [
        { op: 'setStep', id, step: { topic: id, say: [`${id}.body`] }, texts },
        {
          op: 'setStep',
          id: structure.start,
          step: { ...start, choices: [...start.choices, { label: `${structure.start}.choice.${id}`, goto: id }] },
        },
        ...LANGUAGES.map((language) => ({
          op: 'setExamples',
          language,
          topic: id,
          examples: lines(examples[language].value),
        })),
      ];
    };
    const named = () => {
      if (NAME.test(name.value.trim())) return true;
      result.replaceChildren(
        problemList([{ field: studioText('newTopic.nameField'), message: studioText('newTopic.badName') }]),
      );
      name.focus();
      return false;
    };
    check.addEventListener('click', async () => {
      if (!named()) return;
      result.replaceChildren(element('p', { text: studioText('newTopic.checking') }));
      const { status, data } = await api('POST', '/studio/api/structure/check', { changes: changes() });
      if (status !== 200) return outcome(result, status, data, '');
      result.replaceChildren(
        data.problems.length
          ? element('div', {}, element('p', { text: studioText('newTopic.fixFirst') }), problemList(data.problems))
          : element('p', { text: studioText('newTopic.noProblems') }),
        captureWarning(data.captures),
      );
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!named()) return;
      result.replaceChildren(element('p', { text: studioText('newTopic.adding') }));
      const { status, data } = await api(
        'POST',
        '/studio/api/structure',
        { changes: changes() },
        {
          'if-match': structure.etag,
        },
      );
      outcome(result, status, data, studioText('newTopic.added', { topic: name.value.trim() }));
      await loadStructure();
      if (status === 200) await reloadDialog();
    });
    panel.replaceChildren(element('h2', { id: 'new-topic-title', text: studioText('newTopic.title') }), form);
    if (!kept.name) name.focus();
    const typed = (boxes) => Object.fromEntries(LANGUAGES.map((language) => [language, boxes[language].value]));
    newTopicTyped = () => ({ name: name.value, label: typed(label), says: typed(says), examples: typed(examples) });
  }
  let newTopicTyped = () => ({});

  document.addEventListener('studio:step', (event) => {
    if (event.detail.again) return; // drawn again on 'studio:language'
    $('new-topic').hidden = true;
    openStructure(event.detail.id);
  });
  $('add-topic').addEventListener('click', () => {
    $('structure').hidden = true;
    openNewTopic();
  });
  // Another language for the page: what is open is drawn again in it, with what was typed into a new topic kept.
  document.addEventListener('studio:language', () => {
    if (!$('structure').hidden && shownStep.language !== document.documentElement.lang) openStructure(shownStep.id);
    if (!$('new-topic').hidden) openNewTopic(newTopicTyped());
  });
})();
