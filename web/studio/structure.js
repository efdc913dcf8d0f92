'use strict';
// The studio's structure editing: a step's choices, questions and yes/no branches, renaming and removing a step,
// what candidates type for it (its examples per language), and adding a menu topic. Plain DOM, like studio.js;
// every change goes to the JSON API (api/studio.v1.yaml) with the etag it was read with.
(() => {
  const { element, api, languageNames, problemList, reloadDialog } = window.studioPage;
  const LANGUAGES = Object.keys(languageNames);
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

  /** A box per language, labelled "<what> in <language>"; returns the boxes by language. */
  function fiveBoxes(container, idPrefix, what, { rows = 2, values = {} } = {}) {
    const boxes = {};
    const grid = element('div', { class: 'five' });
    for (const language of LANGUAGES) {
      const id = `${idPrefix}-${language}`;
      const box = element('textarea', { id, lang: language, rows: String(rows) });
      box.value = values[language] ?? '';
      grid.append(
        element('div', {}, element('label', { for: id, text: `${what} in ${languageNames[language]}` }), box),
      );
      boxes[language] = box;
    }
    container.append(grid);
    return boxes;
  }

  /** The warning for messages a changed topic takes from other topics, each named with its language and topic. */
  function captureWarning(captures) {
    if (!captures || captures.length === 0) return element('p', { text: 'No messages of other topics are taken.' });
    const shown = captures.slice(0, 30);
    return element(
      'div',
      { class: 'capture', role: 'alert' },
      element('p', {
        text:
          `Warning: the change takes ${captures.length} message(s) the draft understood as other topics. ` +
          'Candidates typing these would reach the wrong step; reword the examples or remove the ones that pull them:',
      }),
      element(
        'ul',
        {},
        ...shown.map((capture) =>
          element(
            'li',
            { lang: capture.language },
            `“${capture.text}” (${languageNames[capture.language]}, ` +
              `${capture.kind === 'held-out' ? 'a test message' : 'an example'} of ${capture.from}) → ${capture.topic}`,
          ),
        ),
      ),
      captures.length > shown.length ? element('p', { text: `…and ${captures.length - shown.length} more.` }) : null,
    );
  }

  /** What a structure call answered, in plain words. */
  function outcome(target, status, data, saved) {
    if (status === 200 || status === 201)
      target.replaceChildren(element('p', { text: saved }), captureWarning(data.captures));
    else if (status === 409)
      target.replaceChildren(
        element('p', {
          text: 'Someone else changed this since you opened it. It is shown again as it is now; redo your change.',
        }),
      );
    else if (status === 422)
      target.replaceChildren(element('p', { text: 'Not saved. Fix these first:' }), problemList(data.problems));
    else target.replaceChildren(element('p', { text: data.message || 'Not saved; try again.' }));
  }

  function targetSelect(id, label, value, { none } = {}) {
    const select = element('select', { id });
    if (none) select.append(element('option', { value: '', text: none }));
    for (const step of Object.keys(structure.steps).sort())
      select.append(element('option', { value: step, text: step, selected: step === value }));
    return [element('label', { for: id, text: label }), select];
  }

  // A step's structure

  async function openStructure(id) {
    const panel = $('structure');
    panel.hidden = false;
    await loadStructure();
    const entry = structure.steps[id];
    if (!entry) return panel.replaceChildren();
    const step = JSON.parse(JSON.stringify(entry.step));
    const isForm = Array.isArray(step.ask);
    const texts = {};
    const heading = element('h3', { id: 'structure-title', text: `Structure of "${id}"` });

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
      outcome($('structure-result'), status, data, 'Saved in the draft.');
    };

    const list = isForm ? questionList(step, texts) : choiceList(id, step, texts);
    const saveButton = element('button', { type: 'button', text: 'Save the structure' });
    saveButton.addEventListener('click', save);

    panel.replaceChildren(
      heading,
      element('p', {
        class: 'hint',
        text: isForm
          ? 'The questions this form asks, in order, and how each answer is checked.'
          : 'The buttons this step offers, in order, and which one a typed yes or no picks. ' +
            'Back and Main menu are added.',
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
    const up = element('button', { type: 'button', text: 'Move up', 'aria-label': `Move up: ${name}` });
    const down = element('button', { type: 'button', text: 'Move down', 'aria-label': `Move down: ${name}` });
    const remove = element('button', { type: 'button', text: 'Remove', 'aria-label': `Remove: ${name}` });
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
        const [label, select] = targetSelect(selectId, `Button ${index + 1} (${choice.label}) leads to`, choice.goto);
        select.addEventListener('change', () => (choice.goto = select.value));
        return element('li', {}, label, select, ...rowButtons(step.choices, index, `button ${choice.label}`, draw));
      });
      box.replaceChildren(
        element('h4', { text: 'Buttons' }),
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
    const form = element('fieldset', {}, element('legend', { text: 'Add a button' }));
    const [label, select] = targetSelect(`new-choice-goto-${id}`, 'It leads to', '');
    form.append(label, select);
    const boxes = fiveBoxes(form, `new-choice-${id}`, 'The button', { rows: 1 });
    const add = element('button', { type: 'button', text: 'Add the button' });
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
    for (const answer of ['yes', 'no']) {
      const [label, select] = targetSelect(`typed-${answer}`, `A typed "${answer}" picks the button to`, step[answer], {
        none: 'nothing (asks again)',
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
          element('label', { for: selectId, text: `Answer to ${question.slot} checked as` }),
          select,
          ...rowButtons(step.ask, index, `question ${question.slot}`, draw),
        );
      });
      box.replaceChildren(
        element('h4', { text: 'Questions' }),
        element('ol', {}, ...rows),
        addQuestion(step, texts, draw),
      );
      if (which) box.querySelectorAll('li')[focusIndex]?.querySelector('button')?.focus();
    };
    draw();
    return box;
  }

  function addQuestion(step, texts, redraw) {
    const form = element('fieldset', {}, element('legend', { text: 'Add a question' }));
    const slot = element('input', { id: 'new-question-slot', type: 'text' });
    const validator = element('select', { id: 'new-question-validator' });
    for (const name of Object.keys(structure.validators))
      validator.append(element('option', { value: name, text: name }));
    form.append(
      element('label', { for: 'new-question-slot', text: 'The answer is named' }),
      slot,
      element('label', { for: 'new-question-validator', text: 'Checked as' }),
      validator,
    );
    const boxes = fiveBoxes(form, 'new-question', 'The question', { rows: 2 });
    const add = element('button', { type: 'button', text: 'Add the question' });
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
    const form = element('fieldset', {}, element('legend', { text: 'Rename or remove the step' }));
    const name = element('input', { id: 'rename-to', type: 'text', value: id });
    const rename = element('button', { type: 'button', text: 'Rename' });
    const remove = element('button', { type: 'button', text: `Remove the step "${id}"` });
    const result = element('div', { role: 'status', 'aria-live': 'polite' });
    rename.addEventListener('click', async () => {
      const to = name.value.trim();
      const { status, data } = await api('POST', `/studio/api/steps/${id}/rename`, { to }, { 'if-match': entry.etag });
      outcome(result, status, data, `Renamed to "${to}" everywhere it is named.`);
      if (status === 200) {
        await reloadDialog();
        await openStructure(to);
      }
    });
    remove.addEventListener('click', async () => {
      const { status, data } = await api('DELETE', `/studio/api/steps/${id}`, undefined, { 'if-match': entry.etag });
      outcome(result, status, data, `The step "${id}" is removed from the draft, with its buttons and examples.`);
      if (status === 200) {
        await reloadDialog();
        $('structure').hidden = true;
      }
    });
    form.append(element('label', { for: 'rename-to', text: 'New name' }), name, rename, remove, result);
    return form;
  }

  function examplesEditor(topic) {
    const box = element(
      'fieldset',
      {},
      element('legend', { text: 'What candidates type for this step' }),
      element('p', {
        class: 'hint',
        text:
          'One message per line, the way candidates write. ' +
          'A menu topic needs 40 in every language, other steps 15.',
      }),
    );
    const result = element('div', { role: 'status', 'aria-live': 'polite' });
    const boxes = fiveBoxes(box, `examples-${topic}`, 'Examples', { rows: 6 });
    const etags = {};
    for (const language of LANGUAGES)
      api('GET', `/studio/api/examples/${language}/${topic}`).then(({ status, data }) => {
        if (status !== 200) return;
        boxes[language].value = data.examples.join('\n');
        etags[language] = data.etag;
      });
    const save = element('button', { type: 'button', text: 'Save the examples' });
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
      outcome(result, 200, { captures }, 'The examples are saved in the draft.');
    });
    box.append(save, result);
    return box;
  }

  // A new menu topic

  async function openNewTopic() {
    await loadStructure();
    const panel = $('new-topic');
    panel.hidden = false;
    const form = element('form', { id: 'new-topic-form', novalidate: true });
    const name = element('input', { id: 'new-topic-name', type: 'text', required: true });
    form.append(element('label', { for: 'new-topic-name', text: 'Name of the new step (letters and digits)' }), name);
    const label = fiveBoxes(form, 'new-topic-label', 'Menu button', { rows: 1 });
    const says = fiveBoxes(form, 'new-topic-says', 'What the step says', { rows: 3 });
    form.append(
      element('p', { class: 'hint', text: 'What candidates type: one message per line, at least 40 per language.' }),
    );
    const examples = fiveBoxes(form, 'new-topic-examples', 'What candidates type', { rows: 6 });
    const check = element('button', { type: 'button', text: 'Check the topic' });
    const add = element('button', { type: 'submit', text: 'Add the topic to the draft' });
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
        problemList([{ field: 'name', message: 'must be letters and digits, starting with a letter' }]),
      );
      name.focus();
      return false;
    };
    check.addEventListener('click', async () => {
      if (!named()) return;
      result.replaceChildren(element('p', { text: 'Checking… the draft’s model learns the examples, a few seconds.' }));
      const { status, data } = await api('POST', '/studio/api/structure/check', { changes: changes() });
      if (status !== 200) return outcome(result, status, data, '');
      result.replaceChildren(
        data.problems.length
          ? element('div', {}, element('p', { text: 'Fix these before adding it:' }), problemList(data.problems))
          : element('p', { text: 'No problems: the topic can be added.' }),
        captureWarning(data.captures),
      );
    });
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      if (!named()) return;
      result.replaceChildren(element('p', { text: 'Adding… the draft’s model learns the examples, a few seconds.' }));
      const { status, data } = await api(
        'POST',
        '/studio/api/structure',
        { changes: changes() },
        {
          'if-match': structure.etag,
        },
      );
      outcome(
        result,
        status,
        data,
        `The topic "${name.value.trim()}" is on the menu of the draft. Publish to make it live.`,
      );
      await loadStructure();
      if (status === 200) await reloadDialog();
    });
    panel.replaceChildren(element('h2', { id: 'new-topic-title', text: 'Add a menu topic' }), form);
    name.focus();
  }

  document.addEventListener('studio:step', (event) => {
    $('new-topic').hidden = true;
    openStructure(event.detail.id);
  });
  $('add-topic').addEventListener('click', () => {
    $('structure').hidden = true;
    openNewTopic();
  });
})();
