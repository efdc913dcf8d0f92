/**
 * The benchmark's waterfall peer: the helpdesk tree written the way most teams would write it, with
 * botbuilder-dialogs (a ComponentDialog of WaterfallDialogs, ChoicePrompts and TextPrompts with validators),
 * English only, its state in Redis through botbuilder's Storage interface, on restify + CloudAdapter like the
 * echo floor. It walks the shape of dialogs/helpdesk.yaml with the English texts of locales/en. It calls no
 * account service: the lock check answers that it could not verify the account, the request form gives a
 * reference. Not part of the product.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ActivityTypes, ConversationState, MessageFactory, type StatePropertyAccessor } from 'botbuilder';
import {
  ChoicePrompt,
  ComponentDialog,
  type DialogContext,
  DialogSet,
  type DialogState,
  DialogTurnStatus,
  ListStyle,
  type PromptValidatorContext,
  TextPrompt,
  WaterfallDialog,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import i18next from 'i18next';
import { parse } from 'yaml';
import { createRedis } from '../src/state/redisConnection';
import { RedisStorage } from './redisStorage';
import { serveBot } from './server';

const ROOT = path.resolve(__dirname, '..');

interface Choice {
  label: string;
  goto: string;
}
interface Ask {
  slot: string;
  prompt: string;
  validator: string;
  missing?: Choice;
  edit?: string;
}
interface Node {
  say?: string[];
  prompt?: string;
  choices?: Choice[];
  then?: string;
  intro?: string;
  ask?: Ask[];
  confirm?: { summary: string; send: string };
  outcomes?: Record<string, string>;
}
interface Validator {
  kind: 'pattern' | 'text' | 'pastDate';
  pattern?: string;
  normalize?: string[];
  minLength?: number;
  maxLength?: number;
  letters?: boolean;
  mask?: 'partial' | 'full';
  earliestYear?: number;
  error: string;
  errors?: Record<string, string>;
}
interface Tree {
  start: string;
  links: Record<string, string>;
  validators: Record<string, Validator>;
  nodes: Record<string, Node>;
}

const tree = parse(readFileSync(path.join(ROOT, 'dialogs', 'helpdesk.yaml'), 'utf8')) as Tree;
const load = (name: string) => JSON.parse(readFileSync(path.join(ROOT, 'locales', 'en', `${name}.json`), 'utf8'));
const i18n = i18next.createInstance();
void i18n.init({
  lng: 'en',
  ns: ['helpdesk', 'common'],
  defaultNS: 'helpdesk',
  resources: { en: { helpdesk: load('helpdesk'), common: load('common') } },
  interpolation: { escapeValue: false },
  initAsync: false,
});
const t = (key: string, values: Record<string, unknown> = {}) => i18n.t(key, { links: tree.links, ...values });
const joined = (...texts: (string | undefined)[]) => texts.filter(Boolean).join('\n\n');

const commandPatterns = (name: string) => new RegExp(`^(?:${t(`common:commands.${name}`)})$`, 'i');
const COMMANDS = {
  restart: commandPatterns('restart'),
  menu: commandPatterns('menu'),
  back: commandPatterns('back'),
  cancel: new RegExp(`^${t('common:choice.cancel')}$`, 'i'),
};

/** Every choice label of the tree, so a topic typed by its title is found from anywhere. */
const LABELS = new Map<string, string>();
for (const node of Object.values(tree.nodes))
  for (const choice of node.choices ?? []) LABELS.set(t(choice.label).toLowerCase(), choice.goto);

const normalizers: Record<string, (value: string) => string> = {
  removeSpaces: (value) => value.replace(/\s+/g, ''),
  upperCase: (value) => value.toUpperCase(),
  lowerCase: (value) => value.toLowerCase(),
  trim: (value) => value.trim(),
};
const normalize = (validator: Validator, value: string) =>
  (validator.normalize ?? ['trim']).reduce((text, name) => normalizers[name]!(text), value.trim());

/** The error key for an answer, or undefined when it fits. */
function invalid(validator: Validator, value: string): string | undefined {
  if (validator.kind === 'pattern') return new RegExp(validator.pattern!).test(value) ? undefined : validator.error;
  if (validator.kind === 'text') {
    const fits =
      value.length >= (validator.minLength ?? 1) &&
      value.length <= (validator.maxLength ?? Infinity) &&
      (!validator.letters || /\p{L}/u.test(value));
    return fits ? undefined : validator.error;
  }
  const match = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  if (!match) return validator.error;
  const [day, month, year] = match.slice(1).map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  if (month < 1 || month > 12 || date.getUTCDate() !== day) return validator.errors?.noSuchDay ?? validator.error;
  if (date.getTime() > Date.now()) return validator.errors?.future ?? validator.error;
  if (year < (validator.earliestYear ?? 1900)) return validator.errors?.tooOld ?? validator.error;
  return undefined;
}

const masked = (validator: Validator, value: string) =>
  validator.mask === 'full'
    ? '•'.repeat(value.length)
    : validator.mask === 'partial'
      ? `${'•'.repeat(Math.max(0, value.length - 3))}${value.slice(-3)}`
      : value;

interface NodeOptions {
  prefix?: string;
  values?: Record<string, unknown>;
  back?: boolean;
}
interface FormOptions {
  prefix?: string;
  index: number;
  values: Record<string, string>;
  editing?: boolean;
}

const CHOICE = 'choice';
const nodeDialog = (id: string) => (tree.nodes[id]!.ask ? `form:${id}` : `node:${id}`);
const MAX_TRAIL = 20;

class HelpdeskDialog extends ComponentDialog {
  constructor(private readonly trail: StatePropertyAccessor<string[]>) {
    super('helpdesk');
    const choice = new ChoicePrompt(CHOICE);
    choice.style = ListStyle.suggestedAction;
    this.addDialog(choice);
    for (const [name, validator] of Object.entries(tree.validators))
      this.addDialog(new TextPrompt(`text:${name}`, (prompt) => this.validate(prompt, validator)));
    for (const [id, node] of Object.entries(tree.nodes))
      this.addDialog(
        node.ask
          ? new WaterfallDialog(`form:${id}`, [(step) => this.ask(id, step), (step) => this.answered(id, step)])
          : new WaterfallDialog(`node:${id}`, [(step) => this.show(id, step), (step) => this.chosen(id, step)]),
      );
    this.initialDialogId = nodeDialog(tree.start);
  }

  protected override async onBeginDialog(innerDc: DialogContext, options?: NodeOptions) {
    return innerDc.beginDialog(nodeDialog(tree.start), options);
  }

  /** Commands and topic titles interrupt whatever is active, as in the usual "cancel and help" dialog. */
  protected override async onContinueDialog(innerDc: DialogContext) {
    const text = (innerDc.context.activity.text ?? '').trim();
    const go = async (target: string, options: object = {}) => {
      await innerDc.cancelAllDialogs();
      return innerDc.beginDialog(nodeDialog(target), options);
    };
    const form = innerDc.stack.find((instance) => instance.id.startsWith('form:'));
    if (COMMANDS.restart.test(text)) return go(tree.start, { prefix: t('common:restarted') });
    if (COMMANDS.menu.test(text)) return go(tree.start);
    if (form && COMMANDS.cancel.test(text)) return go(tree.start, { prefix: t('common:cancelled') });
    if (COMMANDS.back.test(text)) {
      const options = form?.state.options as FormOptions | undefined;
      if (form && options && options.index > 0) {
        await innerDc.cancelAllDialogs();
        return innerDc.beginDialog(form.id, { index: options.index - 1, values: options.values });
      }
      return this.back(innerDc, form ? 0 : 1);
    }
    const target = LABELS.get(text.toLowerCase());
    const offered = (innerDc.activeDialog?.state.options as { choices?: string[] } | undefined)?.choices ?? [];
    if (innerDc.activeDialog?.id === CHOICE && target && !offered.some((c) => c.toLowerCase() === text.toLowerCase()))
      return go(target);
    return super.onContinueDialog(innerDc);
  }

  /** Back to the node before this one (`drop` nodes off the trail first, the current one when it is on it). */
  private async back(dc: DialogContext, drop: number) {
    const trail = await this.trail.get(dc.context, []);
    trail.splice(trail.length - drop, drop);
    const previous = trail.pop();
    await this.trail.set(dc.context, trail);
    await dc.cancelAllDialogs();
    if (!previous) return dc.beginDialog(nodeDialog(tree.start), { prefix: t('common:nothingToGoBack') });
    return dc.beginDialog(nodeDialog(previous));
  }

  private async remember(step: WaterfallStepContext, id: string) {
    const trail = await this.trail.get(step.context, []);
    if (id === tree.start) trail.length = 0;
    if (trail.at(-1) !== id) trail.push(id);
    await this.trail.set(step.context, trail.slice(-MAX_TRAIL));
  }

  private async show(id: string, step: WaterfallStepContext) {
    const node = tree.nodes[id]!;
    const options = (step.options ?? {}) as NodeOptions;
    const text = joined(
      options.prefix,
      ...(node.say ?? []).map((key) => t(key, options.values)),
      node.prompt && t(node.prompt),
    );
    if (node.then) return step.replaceDialog(nodeDialog(node.then), { prefix: text });
    if (!node.choices?.length) {
      await this.trail.set(step.context, []);
      await step.context.sendActivity(text);
      return step.endDialog();
    }
    await this.remember(step, id);
    const labels = node.choices.map((choice) => t(choice.label));
    if (id !== tree.start) labels.push(t('common:choice.back'), t('common:choice.menu'));
    return step.prompt(CHOICE, {
      prompt: text,
      retryPrompt: joined(t('common:notUnderstood'), t('common:choicesAgain')),
      choices: labels,
    });
  }

  private async chosen(id: string, step: WaterfallStepContext) {
    const choices = tree.nodes[id]!.choices!;
    const { index } = step.result as { index: number };
    if (index < choices.length) return step.replaceDialog(nodeDialog(choices[index]!.goto));
    if (index === choices.length) return this.back(step, 1);
    return step.replaceDialog(nodeDialog(tree.start));
  }

  private async validate(prompt: PromptValidatorContext<string>, validator: Validator) {
    const text = prompt.recognized.value ?? '';
    const missing = (prompt.options as { missing?: string }).missing;
    if (missing && text.trim().toLowerCase() === missing.toLowerCase()) return true;
    const error = prompt.recognized.succeeded ? invalid(validator, normalize(validator, text)) : validator.error;
    if (!error) return true;
    const question = prompt.options.prompt as Partial<ReturnType<typeof MessageFactory.text>>;
    prompt.options.retryPrompt = { ...question, text: joined(t(error), (prompt.options as { ask: string }).ask) };
    return false;
  }

  private async ask(id: string, step: WaterfallStepContext) {
    const node = tree.nodes[id]!;
    const options = { index: 0, values: {}, ...(step.options as Partial<FormOptions>) } as FormOptions;
    const asks = node.ask!;
    if (options.index === 0 && !Object.keys(options.values).length) await this.remember(step, id);
    const intro = options.index === 0 && !Object.keys(options.values).length ? node.intro && t(node.intro) : undefined;
    if (options.index < asks.length) {
      const ask = asks[options.index]!;
      const actions = [
        ...(ask.missing ? [t(ask.missing.label)] : []),
        t('common:choice.back'),
        t('common:choice.cancel'),
      ];
      const question = t(ask.prompt);
      return step.prompt(`text:${ask.validator}`, {
        prompt: MessageFactory.suggestedActions(actions, joined(options.prefix, intro, question)),
        ask: question,
        missing: ask.missing && t(ask.missing.label),
      } as object);
    }
    if (!node.confirm) return step.next();
    const shown: Record<string, string> = {};
    for (const ask of asks) shown[ask.slot] = masked(tree.validators[ask.validator]!, options.values[ask.slot] ?? '');
    return step.prompt(CHOICE, {
      prompt: t(node.confirm.summary, shown),
      retryPrompt: joined(t('common:notUnderstood'), t('common:choicesAgain')),
      choices: [t(node.confirm.send), ...asks.map((ask) => t(ask.edit!)), t('common:choice.cancel')],
    });
  }

  private async answered(id: string, step: WaterfallStepContext) {
    const node = tree.nodes[id]!;
    const asks = node.ask!;
    const options = { index: 0, values: {}, ...(step.options as Partial<FormOptions>) } as FormOptions;
    if (options.index < asks.length) {
      const ask = asks[options.index]!;
      const answer = step.result as string;
      if (ask.missing && answer.trim().toLowerCase() === t(ask.missing.label).toLowerCase())
        return step.replaceDialog(nodeDialog(ask.missing.goto));
      const values = { ...options.values, [ask.slot]: normalize(tree.validators[ask.validator]!, answer) };
      const index = options.editing ? asks.length : options.index + 1;
      return step.replaceDialog(`form:${id}`, { index, values, editing: options.editing });
    }
    if (node.confirm) {
      const { index } = step.result as { index: number };
      if (index > asks.length) return step.replaceDialog(nodeDialog(tree.start), { prefix: t('common:cancelled') });
      if (index > 0) return step.replaceDialog(`form:${id}`, { ...options, index: index - 1, editing: true });
    }
    // No account service here: the lock check cannot verify anyone, a reset or a request is taken as done.
    const outcomes = node.outcomes!;
    const outcome = outcomes.unverified ?? outcomes.accepted ?? outcomes.created!;
    const reference = `HD-${randomBytes(4).toString('hex').toUpperCase()}`;
    return step.replaceDialog(nodeDialog(outcome), { values: { reference } });
  }
}

async function main(): Promise<void> {
  const redis = createRedis({ url: process.env.REDIS_URL! });
  await redis.connect();
  const state = new ConversationState(new RedisStorage(redis, 'waterfall'));
  const dialogState = state.createProperty<DialogState>('dialogState');
  const welcomed = state.createProperty<boolean>('welcomed');
  const dialogs = new DialogSet(dialogState).add(new HelpdeskDialog(state.createProperty<string[]>('trail')));
  serveBot(async (context) => {
    if (context.activity.type !== ActivityTypes.Message) return;
    const dc = await dialogs.createContext(context);
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) {
      const prefix = (await welcomed.get(context, false)) ? undefined : t('common:welcome');
      await welcomed.set(context, true);
      await dc.beginDialog('helpdesk', { prefix });
    }
    await state.saveChanges(context);
    await context.sendActivity({
      type: ActivityTypes.Trace,
      name: 'waterfall.state',
      value: { dialog: dc.activeDialog?.id, stack: dc.stack.length },
    });
  });
}

void main();
