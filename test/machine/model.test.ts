import { createActor, fromPromise, waitFor } from 'xstate';
import { getShortestPaths } from 'xstate/graph';
import { isFormNode } from '../../src/content/dialogSchema';
import { createTranslator } from '../../src/content/i18n';
import { LANGUAGES, type Language } from '../../src/dialog/languages';
import { Renderer } from '../../src/conversation/render';
import type { AccountCallInput, AccountCallOutput } from '../../src/dialog/accountCalls';
import { ACCOUNT_CALLS } from '../../src/dialog/accountCalls';
import { buildMachine, RESUME_STEP } from '../../src/machine/buildMachine';
import type { DialogContext, DialogEvent, Say, StateMeta } from '../../src/machine/types';

/** The parts of a machine snapshot the walk reads. */
interface AnyMachineSnapshot {
  value: unknown;
  context: DialogContext;
  getMeta(): Record<string, unknown>;
  hasTag(tag: string): boolean;
}
import { statePath } from '../../src/conversation/engine';
import { content, NOW } from '../support/helpers';

/**
 * Model-based walk of the compiled dialog: the shortest path to every state (as far as the way back
 * matters), then every move from each of them, replayed on a live actor in every language, checking
 * that each reply and button is real text in that language.
 */
const loaded = content();
const i18n = createTranslator(loaded);
const renderer = new Renderer(i18n);
const machine = buildMachine(loaded, { now: () => NOW, serviceTimeoutMs: 1000 });

const SAMPLE_ANSWERS: Record<string, { valid: string; invalid: string }> = {
  idNumber: { valid: 'SIR094701', invalid: 'not an id' },
  secretNumber: { valid: '8482', invalid: '12' },
  fullName: { valid: 'Ana García', invalid: '1' },
  exam: { valid: 'B2 First', invalid: '!' },
  examDate: { valid: '14/06/2025', invalid: '31/02/2025' },
  centreName: { valid: 'Centro Madrid', invalid: '?' },
  email: { valid: 'ana@example.org', invalid: 'ana@example' },
};

const OUTPUT_SAMPLES: Record<string, Record<string, string>> = {
  lockedUntil: { lockedUntil: '2026-03-10T09:20:00.000Z' },
  tryAgainAt: { tryAgainAt: '2026-03-10T10:00:00.000Z' },
  reference: { reference: 'HD-TEST-0001' },
};

const metaOf = (snapshot: AnyMachineSnapshot) => Object.values(snapshot.getMeta()).find(Boolean) as StateMeta;
const turn = { locale: 'en', turnId: 'model' };

function doneEvents(snapshot: AnyMachineSnapshot) {
  const form = metaOf(snapshot).node;
  const node = loaded.dialog.nodes[form]!;
  if (!isFormNode(node)) return [];
  const params = Object.keys(ACCOUNT_CALLS[node.action as keyof typeof ACCOUNT_CALLS].params).reduce(
    (all, name) => ({ ...all, ...OUTPUT_SAMPLES[name] }),
    {},
  );
  return [
    ...Object.keys(node.outcomes).map((outcome) => ({
      type: `xstate.done.actor.${form}.call`,
      output: { outcome, params },
    })),
    { type: `xstate.error.actor.${form}.call`, error: new Error('service down') },
  ];
}

/** Every move a user can make in a resting state. */
function userEvents(snapshot: AnyMachineSnapshot): DialogEvent[] {
  const meta = metaOf(snapshot);
  const events: DialogEvent[] = (
    ['START', 'BACK', 'MENU', 'CANCEL', 'RESTART', 'HELP', 'REPEAT', 'LANGUAGE', 'GREET'] as const
  ).map((type) => ({ type, ...turn }));
  // A topic typed in the user's own words: the handover node, and a topic that leaves any form half-way.
  events.push({ type: 'GOTO', node: 'person', ...turn }, { type: 'GOTO', node: 'forgotPassword', ...turn });
  // An off-topic question: its answer, then the main menu.
  events.push({ type: 'GOTO', node: 'offTopic', ...turn });
  events.push({ type: 'UNKNOWN', reason: 'notUnderstood', ...turn }, { type: 'UNKNOWN', reason: 'empty', ...turn });
  for (const choice of meta.choices) if (!choice.event) events.push({ type: 'CHOOSE', choice: choice.id, ...turn });
  events.push({ type: 'CHOOSE', choice: 'from-an-old-card', ...turn });
  const sample = meta.expecting ? SAMPLE_ANSWERS[meta.expecting] : undefined;
  if (sample)
    events.push({ type: 'ANSWER', text: sample.valid, ...turn }, { type: 'ANSWER', text: sample.invalid, ...turn });
  else events.push({ type: 'ANSWER', text: 'something else', ...turn });
  return events;
}

const paths = getShortestPaths(machine, {
  events: (snapshot) => (snapshot.hasTag('busy') ? doneEvents(snapshot) : userEvents(snapshot)) as never,
  serializeState: (snapshot: AnyMachineSnapshot) =>
    JSON.stringify([snapshot.value, snapshot.context.trail.at(-1) ?? null, snapshot.context.correcting]),
});

type Next = { output: AccountCallOutput } | { error: Error };

/** How the next account-service call ends, as the walked path says. */
let next: Next = { output: { outcome: 'never-set' } };
const call = fromPromise<AccountCallOutput, AccountCallInput>(async () => {
  if ('error' in next) throw next.error;
  return next.output;
});
const liveMachine = machine.provide({
  actors: Object.fromEntries(Object.keys(ACCOUNT_CALLS).map((name) => [name, call])) as never,
});

function liveDialog(snapshot?: ReturnType<typeof machine.getPersistedSnapshot>) {
  const actor = createActor(liveMachine, snapshot ? { snapshot } : {});
  const said: Say[] = [];
  actor.on('say', (event: Say) => said.push(event));
  actor.start();
  return {
    actor,
    said,
    setNext(value: Next) {
      next = value;
    },
    async send(event: DialogEvent) {
      said.length = 0;
      actor.send(event);
      await waitFor(actor, (state) => !state.hasTag('busy'), { timeout: 3000 });
    },
  };
}

function checkReplies(said: Say[], language: Language, where: string, problems: string[]): void {
  const options = { language, now: NOW, links: loaded.dialog.links, timeZone: 'Europe/Rome' };
  const texts = renderer.render(said, options);
  const inEnglish = renderer.render(said, { ...options, language: 'en' });
  said.forEach((say, index) => {
    const text = texts[index]!;
    if (!text.trim() || text === say.key || text === say.key.replace(/^common:/, ''))
      problems.push(`${where}: "${say.key}" has no text`);
    if (/\{\{|\}\}/.test(text)) problems.push(`${where}: "${say.key}" left a placeholder: ${text}`);
    if (language !== 'en' && !say.multilingual && text === inEnglish[index])
      problems.push(`${where}: "${say.key}" is still in English`);
  });
}

function checkButtons(snapshot: AnyMachineSnapshot, language: Language, where: string, problems: string[]): void {
  const t = i18n.getFixedT(language);
  const english = i18n.getFixedT('en');
  for (const choice of metaOf(snapshot).choices) {
    const title = t(choice.label);
    if (!title.trim() || title === choice.label || title.includes(':'))
      problems.push(`${where}: button "${choice.label}" has no text`);
    if (language !== 'en' && title === english(choice.label))
      problems.push(`${where}: button "${choice.label}" is still in English`);
  }
}

describe('walking the whole dialog', () => {
  it('reaches every state of the compiled machine', () => {
    const reached = new Set(paths.map((path) => statePath(path.state.value)));
    const leaves: string[] = [];
    const collect = (node: { states: Record<string, unknown> }, prefix: string) => {
      for (const [key, child] of Object.entries(node.states) as Array<[string, { states: Record<string, unknown> }]>) {
        const name = prefix ? `${prefix}.${key}` : key;
        if (Object.keys(child.states).length === 0) leaves.push(name);
        else collect(child, name);
      }
    };
    collect(machine.root as never, '');
    // `_start`, each form's `_resume` and a node that says something `then` goes on pass straight on.
    const passing = (leaf: string) => {
      const node = loaded.dialog.nodes[leaf];
      return leaf === '_start' || leaf.endsWith(`.${RESUME_STEP}`) || Boolean(node && !isFormNode(node) && node.then);
    };
    expect(leaves.filter((leaf) => !passing(leaf) && !reached.has(leaf))).toEqual([]);
    expect(leaves.length).toBeGreaterThan(30);
  });

  it.each(LANGUAGES)(
    'in %s: every reply on every path, and every move from every state, is real text in the language',
    async (language) => {
      const problems: string[] = [];
      let moves = 0;
      for (const path of paths) {
        const dialog = liveDialog();
        const steps = path.steps.filter((step) => (step.event.type as string) !== 'xstate.init');
        for (const [index, step] of steps.entries()) {
          const event = step.event as DialogEvent & { output?: AccountCallOutput; error?: Error };
          if (event.type.startsWith('xstate.')) continue;
          const after = steps[index + 1]?.event as
            { type: string; output?: AccountCallOutput; error?: Error } | undefined;
          if (after?.type.startsWith('xstate.done.actor')) dialog.setNext({ output: after.output! });
          if (after?.type.startsWith('xstate.error.actor')) dialog.setNext({ error: after.error! });
          await dialog.send({ ...event, locale: language });
          const where = `${steps
            .slice(0, index + 1)
            .map((s) => s.event.type)
            .join('>')} @ ${statePath(dialog.actor.getSnapshot().value)}`;
          checkReplies(dialog.said, language, where, problems);
          checkButtons(dialog.actor.getSnapshot(), language, where, problems);
        }
        const resting = dialog.actor.getSnapshot();
        if (resting.hasTag('busy')) continue;
        for (const event of userEvents(resting)) {
          const branch = liveDialog(dialog.actor.getPersistedSnapshot() as never);
          branch.setNext({ output: { outcome: 'created', params: { reference: 'HD-TEST-0001' } } });
          await branch.send({ ...event, locale: language });
          moves += 1;
          const where = `${statePath(resting.value)} + ${event.type}${'choice' in event ? `:${event.choice}` : ''}`;
          checkReplies(branch.said, language, where, problems);
          checkButtons(branch.actor.getSnapshot(), language, where, problems);
          branch.actor.stop();
        }
        dialog.actor.stop();
      }
      expect(problems).toEqual([]);
      expect(moves).toBeGreaterThan(500);
    },
  );
});
