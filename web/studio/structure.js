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

  /**
   * A box per language, labelled by `what(name of the language)`; returns the boxes by language. `short`: under a
   * heading that names the field, the box shows only its language and says the whole label to assistive technology.
   */
  function fiveBoxes(container, idPrefix, what, { rows = 2, values = {}, short = false } = {}) {
    const boxes = {};
    const grid = element('div', { class: 'five' });
    for (const language of LANGUAGES) {
      const id = `${idPrefix}-${language}`;
      const name = what(languageNames[language]);
      const box = element('textarea', {
        id,
        lang: language,
        rows: String(rows),
        'aria-label': short ? name : undefined,
      });
      box.value = values[language] ?? '';
      const label = element('label', { for: id, text: short ? languageNames[language] : name });
      grid.append(element('div', {}, label, box));
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
    drawStructure(id, entry, JSON.parse(JSON.stringify(entry.step)), {});
  }

  /**
   * The step's structure as it is being edited: `step` and the new `texts` (by key and language) are what is saved;
   * `focusId` is the field that keeps the focus when the panel is drawn again (another kind of step, a summary).
   */
  function drawStructure(id, entry, step, texts, focusId) {
    const panel = $('structure');
    const redraw = (focus) => drawStructure(id, entry, step, texts, focus);
    const isForm = Array.isArray(step.ask);
    const heading = element('h3', { id: 'structure-title', text: studioText('structure.title', { step: id }) });

    const save = async () => {
      // Only the new texts the step still names (a field removed after typing its words leaves none behind).
      const named = JSON.stringify(step);
      const kept = Object.fromEntries(Object.entries(texts).filter(([key]) => named.includes(`"${key}"`)));
      const { status, data } = await api(
        'PUT',
        `/studio/api/steps/${id}`,
        { step, ...(Object.keys(kept).length ? { texts: kept } : {}) },
        { 'if-match': entry.etag },
      );
      if (status === 200 || status === 409) {
        await reloadDialog();
        await openStructure(id);
        $('structure-title').focus();
      }
      if (status === 422) problemsByField(panel, data.problems);
      outcome($('structure-result'), status, data, studioText('editor.saved'));
    };

    const fields = { id, step, texts, redraw };
    const saveButton = element('button', { type: 'button', text: studioText('structure.save') });
    saveButton.addEventListener('click', save);

    const parts = [
      heading,
      kindOf(fields),
      isForm ? null : saysList(fields),
      element('p', {
        class: 'hint',
        text: isForm ? studioText('structure.formHint') : studioText('structure.choicesHint'),
      }),
      isForm ? questionList(fields) : choiceList(id, step, texts),
      isForm ? formFields(fields) : yesNo(step),
      isForm ? null : stepFields(fields),
      saveButton,
      element('div', { id: 'structure-result', role: 'status', 'aria-live': 'polite' }),
      renameAndRemove(id, entry),
      examplesEditor(id),
    ];
    panel.replaceChildren(...parts.filter(Boolean));
    heading.tabIndex = -1;
    if (focusId) $(focusId)?.focus();
  }

  /** Whether a problem's field (`nodes.x.ask[0].missing.goto`) is the field `place` or inside it. */
  const inside = (field, place) => field === place || field.startsWith(`${place}.`) || field.startsWith(`${place}[`);

  /**
   * Each problem shown by the field it names: in the element whose `data-field` holds it most closely (a text's
   * problem, "de/key", by the field that writes that text), its controls described by it.
   */
  function problemsByField(panel, problems) {
    for (const shown of panel.querySelectorAll('.problem[data-by-field]')) shown.remove();
    const places = [...panel.querySelectorAll('[data-field]')];
    problems.forEach((problem, index) => {
      const key = /^[a-z]{2}\/(.+)$/.exec(problem.field)?.[1];
      const place = places
        .filter((each) => inside(problem.field, each.dataset.field) || (key && each.dataset.textKey === key))
        .sort((a, b) => b.dataset.field.length - a.dataset.field.length)[0];
      if (!place) return;
      const note = element('p', { class: 'problem', id: `structure-problem-${index}`, 'data-by-field': true });
      note.textContent = key ? `${problem.field}: ${problem.message}` : problem.message;
      place.append(note);
      for (const control of place.querySelectorAll('input, select, textarea')) {
        const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
        control.setAttribute('aria-describedby', [...described, note.id].join(' '));
      }
    });
  }

  // The fields of a step besides its buttons and questions

  /** Sets a field, or takes it away with `undefined` (it keeps its place among the step's fields if set again). */
  const setField = (object, field, value) => (object[field] = value === '' ? undefined : value);

  /**
   * A field whose value is a text: once the step names one, it says which (its words are edited with the step's
   * texts above); otherwise five boxes to write a new one, saved as `newKey` with the structure, or, without
   * `newKey`, sent as `{ newText }` for the server to key.
   */
  function textField(fields, { field, name, key, newKey, set, optional = true }) {
    const box = element('fieldset', { class: 'text-field', 'data-field': field }, element('legend', { text: name }));
    const draw = (current) => {
      box.replaceChildren(box.firstChild);
      const named = typeof current === 'string' ? current : newKey;
      // Taken away: a problem with the text it named no longer points here.
      if (named) box.dataset.textKey = named;
      else delete box.dataset.textKey;
      if (typeof current === 'string' && !fields.texts[current]) {
        box.append(element('p', { text: studioText('structure.textIs', { key: current }) }));
        if (!optional) return;
        const remove = element('button', {
          type: 'button',
          text: studioText('structure.remove'),
          'aria-label': studioText('structure.removeLabel', { name }),
        });
        remove.addEventListener('click', () => {
          set(undefined);
          draw(undefined);
          box.querySelector('textarea')?.focus();
        });
        box.append(remove);
        return;
      }
      box.append(
        element('p', {
          class: 'hint',
          text: optional ? studioText('structure.newOptionalText') : studioText('structure.newText'),
        }),
      );
      const prefix = `field-${field.replace(/[^\w-]/g, '-')}`;
      const boxes = fiveBoxes(box, prefix, (language) => studioText('structure.textIn', { name, language }), {
        values: newKey ? fields.texts[newKey] : current?.newText,
        short: true,
      });
      const typed = () => {
        const values = Object.fromEntries(LANGUAGES.map((language) => [language, boxes[language].value.trim()]));
        // Without `newKey` the server makes the text's key from the step's name.
        if (!newKey) set(Object.values(values).some(Boolean) ? { newText: values } : undefined);
        else if (Object.values(values).some(Boolean)) {
          fields.texts[newKey] = values;
          set(newKey);
        } else {
          delete fields.texts[newKey];
          set(undefined);
        }
      };
      for (const language of LANGUAGES) boxes[language].addEventListener('input', typed);
    };
    draw(key);
    return box;
  }

  function checkbox(id, label, checked, change) {
    const input = element('input', { type: 'checkbox', id, checked: checked === true });
    input.addEventListener('change', () => change(input.checked));
    return element('div', { class: 'check' }, input, element('label', { for: id, text: label }));
  }

  /** Texts and buttons, or a form: a step changed into the other kind keeps only its topic. */
  function kindOf({ step, redraw }) {
    const box = element('fieldset', { class: 'kind' }, element('legend', { text: studioText('structure.kind') }));
    const kinds = { message: studioText('structure.kindMessage'), form: studioText('structure.kindForm') };
    for (const [kind, label] of Object.entries(kinds)) {
      const id = `step-kind-${kind}`;
      const input = element('input', {
        type: 'radio',
        name: 'step-kind',
        id,
        value: kind,
        checked: Array.isArray(step.ask) === (kind === 'form'),
      });
      input.addEventListener('change', () => {
        const { topic } = step;
        for (const field of Object.keys(step)) delete step[field];
        // The fields in the order CONTENT.md writes them; those left undefined are not saved.
        if (kind === 'form')
          Object.assign(step, {
            topic,
            intro: undefined,
            ask: [],
            confirm: undefined,
            action: undefined,
            outcomes: {},
          });
        else Object.assign(step, { topic, say: [], choices: [] });
        redraw(id);
      });
      box.append(element('div', { class: 'check' }, input, element('label', { for: id, text: label })));
    }
    return box;
  }

  /** A form's action, where each of its results leads, its texts and its summary. */
  function formFields(fields) {
    const { id, step, redraw } = fields;
    const path = `nodes.${id}`;
    const box = element('fieldset', {}, element('legend', { text: studioText('structure.form') }));
    const action = element('select', { id: 'form-action' });
    action.append(element('option', { value: '', text: studioText('structure.chooseAction') }));
    const known = Object.keys(structure.actions);
    for (const name of step.action && !known.includes(step.action) ? [...known, step.action] : known)
      action.append(element('option', { value: name, text: name, selected: name === step.action }));
    const needs = element('p', { class: 'hint', id: 'form-action-needs' });
    action.setAttribute('aria-describedby', needs.id);
    const outcomes = element('fieldset', { 'data-field': `${path}.outcomes` });
    const drawResults = () => {
      const call = structure.actions[step.action];
      needs.replaceChildren(
        ...(call
          ? [
              `${studioText('structure.actionNeeds')} `,
              ...call.inputs.flatMap((slot, index) => [index ? ', ' : '', element('code', { text: slot })]),
            ]
          : []),
      );
      const rows = (call?.outcomes ?? []).map((result) => {
        const [label, select] = targetSelect(
          `outcome-${result}`,
          studioText('structure.outcomeLeadsTo', { name: result }),
          step.outcomes?.[result],
          { none: studioText('structure.none') },
        );
        select.addEventListener('change', () => {
          step.outcomes ??= {};
          if (select.value) step.outcomes[result] = select.value;
          else delete step.outcomes[result];
        });
        return element('div', { class: 'pair', 'data-field': `${path}.outcomes.${result}` }, label, select);
      });
      outcomes.replaceChildren(element('legend', { text: studioText('structure.outcomes') }), ...rows);
    };
    action.addEventListener('change', () => {
      setField(step, 'action', action.value);
      // Results the new action never ends with would lead nowhere: they go with the old action.
      const results = structure.actions[action.value]?.outcomes ?? [];
      step.outcomes = Object.fromEntries(
        Object.entries(step.outcomes ?? {}).filter(([name]) => results.includes(name)),
      );
      drawResults();
    });
    drawResults();
    const keyField = (field, name, newKey, optional = true) =>
      textField(fields, {
        field: `${path}.${field}`,
        name,
        key: step[field],
        newKey,
        optional,
        set: (key) => setField(step, field, key),
      });
    const confirm = checkbox('form-confirm', studioText('structure.confirm'), step.confirm !== undefined, (on) => {
      step.confirm = on ? { summary: undefined, send: undefined } : undefined;
      redraw('form-confirm');
    });
    confirm.dataset.field = `${path}.confirm`;
    const summary = (part, name) =>
      textField(fields, {
        field: `${path}.confirm.${part}`,
        name,
        key: step.confirm[part],
        newKey: `${id}.${part}`,
        optional: false,
        set: (key) => setField(step.confirm, part, key),
      });
    box.append(
      ...[
        element(
          'div',
          { class: 'pair', 'data-field': `${path}.action` },
          element('label', { for: 'form-action', text: studioText('structure.action') }),
          action,
        ),
        needs,
        outcomes,
        keyField('intro', studioText('structure.intro'), `${id}.intro`),
        keyField('onError', studioText('structure.onError'), `${id}.failed`, false),
        confirm,
        step.confirm ? summary('summary', studioText('structure.summary')) : null,
        step.confirm ? summary('send', studioText('structure.send')) : null,
      ].filter(Boolean),
    );
    return box;
  }

  /** What else a step of texts and buttons does: its text if it has none, then, final, a reminder, a goodbye… */
  function stepFields(fields) {
    const { id, step } = fields;
    const path = `nodes.${id}`;
    const box = element('fieldset', {}, element('legend', { text: studioText('structure.more') }));
    const keyField = (field, name, newKey) =>
      textField(fields, {
        field: `${path}.${field}`,
        name,
        key: step[field],
        newKey,
        set: (key) => setField(step, field, key),
      });
    const [thenLabel, then] = targetSelect('step-then', studioText('structure.then'), step.then, {
      none: studioText('structure.none'),
    });
    then.addEventListener('change', () => setField(step, 'then', then.value));
    const flag = (field, label) => {
      const row = checkbox(`step-${field}`, label, step[field], (on) => setField(step, field, on || undefined));
      row.dataset.field = `${path}.${field}`;
      return row;
    };
    box.append(
      ...[
        element('div', { class: 'pair', 'data-field': `${path}.then` }, thenLabel, then),
        flag('final', studioText('structure.final')),
        flag('offerLanguages', studioText('structure.offerLanguages')),
        keyField('remind', studioText('structure.remind'), `${id}.reminder`),
        keyField('goodbye', studioText('structure.goodbye'), `${id}.goodbye`),
        keyField('title', studioText('structure.stepTitle'), `${id}.title`),
      ].filter(Boolean),
    );
    return box;
  }

  /**
   * What a step of texts says, in order (each text moved, removed, or added in five languages, its key made by the
   * server), and the question it asks after them.
   */
  function saysList(fields) {
    const { id, step } = fields;
    step.say = Array.isArray(step.say) ? step.say : [];
    const path = `nodes.${id}`;
    const list = element('div', { class: 'says', 'data-field': `${path}.say` });
    const nameOf = (entry) =>
      typeof entry === 'string'
        ? studioText('structure.sayName', { key: entry })
        : studioText('structure.newSayName', {
            text: entry.newText?.[document.documentElement.lang] || entry.newText?.en || '',
          });
    const draw = (focusIndex, which) => {
      const rows = step.say.map((entry, index) => {
        const name = nameOf(entry);
        return element(
          'li',
          { 'data-field': `${path}.say[${index}]` },
          element('span', { text: name }),
          ' ',
          ...rowButtons(step.say, index, name, draw),
        );
      });
      list.replaceChildren(
        element('h4', { text: studioText('structure.says') }),
        element('p', { class: 'hint', text: studioText('structure.sayHint') }),
        element('ol', {}, ...rows),
        addSay(id, step, () => draw(step.say.length - 1, 'up')),
      );
      const row = which ? list.querySelectorAll('li')[focusIndex] : undefined;
      row?.querySelector(which === 'down' ? 'button:nth-of-type(2)' : 'button')?.focus();
    };
    draw();
    const prompt = textField(fields, {
      field: `${path}.prompt`,
      name: studioText('structure.prompt'),
      key: step.prompt,
      set: (value) => setField(step, 'prompt', value),
    });
    return element('div', {}, list, prompt);
  }

  function addSay(id, step, added) {
    const form = element('fieldset', {}, element('legend', { text: studioText('structure.addSay') }));
    const boxes = fiveBoxes(form, `new-say-${id}`, (language) => studioText('structure.newSayIn', { language }));
    const add = element('button', { type: 'button', text: studioText('structure.addTheSay') });
    add.addEventListener('click', () => {
      const values = Object.fromEntries(LANGUAGES.map((language) => [language, boxes[language].value.trim()]));
      if (!Object.values(values).some(Boolean)) return boxes[LANGUAGES[0]].focus();
      // Sent as written; a language left empty is named by the server beside the text's row.
      step.say.push({ newText: values });
      added();
    });
    form.append(add);
    return form;
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

  function questionList(fields) {
    const { id, step, texts } = fields;
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
          { 'data-field': `nodes.${id}.ask[${index}]` },
          element('code', { text: question.slot }),
          ' ',
          element('label', { for: selectId, text: studioText('structure.checkedAsFor', { slot: question.slot }) }),
          select,
          ...rowButtons(step.ask, index, studioText('structure.questionName', { slot: question.slot }), draw),
          wayOut(fields, question, index, draw),
          step.confirm
            ? textField(fields, {
                field: `nodes.${id}.ask[${index}].edit`,
                name: studioText('structure.editLabel', { slot: question.slot }),
                key: question.edit,
                newKey: `${id}.edit.${question.slot}`,
                optional: false,
                set: (key) => setField(question, 'edit', key),
              })
            : null,
        );
      });
      box.replaceChildren(
        element('h4', { text: studioText('structure.questions') }),
        element('ol', {}, ...rows),
        addQuestion(step, texts, draw),
      );
      if (which === 'wayOut') $(`question-way-out-${focusIndex}`)?.focus();
      else if (which) box.querySelectorAll('li')[focusIndex]?.querySelector('button')?.focus();
    };
    draw();
    return box;
  }

  /** A question's way out: a button for people without the answer, where it leads and its words. */
  function wayOut(fields, question, index, redraw) {
    const field = `nodes.${fields.id}.ask[${index}].missing`;
    const [label, select] = targetSelect(
      `question-way-out-${index}`,
      studioText('structure.wayOut', { slot: question.slot }),
      question.missing?.goto,
      { none: studioText('structure.none') },
    );
    select.addEventListener('change', () => {
      question.missing = select.value ? { label: question.missing?.label, goto: select.value } : undefined;
      redraw(index, 'wayOut');
    });
    return element(
      'div',
      { class: 'way-out', 'data-field': field },
      element('div', { class: 'pair' }, label, select),
      question.missing
        ? textField(fields, {
            field: `${field}.label`,
            name: studioText('structure.wayOutLabel', { slot: question.slot }),
            key: question.missing.label,
            newKey: `${fields.id}.missing.${question.slot}`,
            optional: false,
            set: (key) => setField(question.missing, 'label', key),
          })
        : null,
    );
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
