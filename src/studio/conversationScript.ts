import { parse, stringify } from 'yaml';
import { z } from 'zod';
import type { i18n } from 'i18next';
import { COMMANDS } from '../dialog/systemKeys';
import { LANGUAGES, type Language } from '../dialog/languages';
import type { ConversationEngine, TurnResult } from '../conversation/engine';
import { Conversation } from '../conversation/conversation';
import { turnIdOf } from '../conversation/turnId';
import { said, sayIn, type Said } from '../dialog/studioWords';

/**
 * Conversation tests as data: what the user does, turn by turn, and what must follow — by content key
 * and dialog state, never by rendered text, so one file checks the conversation in every language.
 */
const expectation = z.strictObject({
  topic: z.string().optional(),
  state: z.string().optional(),
  expecting: z.string().nullable().optional(),
  language: z.enum(LANGUAGES).optional(),
  /** Keys that must be said, in this order (others may come between). */
  says: z.array(z.string()).optional(),
  /** Keys of buttons that must be offered. */
  buttons: z.array(z.string()).optional(),
  /** Keys that must not be said (a second welcome, the "options again" line). */
  never: z.array(z.string()).optional(),
  /** Keys of buttons that must not be offered. */
  noButtons: z.array(z.string()).optional(),
});

/** Typed text: the same in every language, or what a candidate writes in each language. */
const typed = z.union([z.string(), z.strictObject(Object.fromEntries(LANGUAGES.map((l) => [l, z.string()])))]);

const step = z.union([
  z.strictObject({ open: z.literal(true), expect: expectation.optional() }),
  /** Clicks the button with this text key (or choice id). */
  z.strictObject({ click: z.string(), expect: expectation.optional() }),
  /** Types this text as it is (an ID number, a date, a name…). */
  z.strictObject({ answer: z.string(), expect: expectation.optional() }),
  z.strictObject({ type: typed, expect: expectation.optional() }),
  /** Types the command word (back, menu, restart, help, repeat) in the conversation's language. */
  z.strictObject({ command: z.enum(COMMANDS), expect: expectation.optional() }),
  /** Types the name of a language, as written in the conversation's current language. */
  z.strictObject({ language: z.enum(LANGUAGES), expect: expectation.optional() }),
]);

export const scriptSchema = z.strictObject({
  description: z.string().min(1),
  steps: z.array(step).min(1),
});

export type Script = z.infer<typeof scriptSchema>;
export type Step = z.infer<typeof step>;
export type Expectation = z.infer<typeof expectation>;

export function parseScript(text: string, file: string): Script {
  const parsed = scriptSchema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new Error(`${file}: ${issue.path.join('.') || 'file'}: ${issue.message}`);
  }
  return parsed.data;
}

export function stringifyScript(script: Script): string {
  return stringify(script, { lineWidth: 0 });
}

/** What happened in one step, for messages that say where a script went wrong. */
export interface StepReport {
  step: number;
  action: string;
  result: TurnResult;
  /** What went wrong, in the content's English (for the terminal and the tests). */
  failures: string[];
  /** The same, as the studio's words, so the studio says them in the lead's language. */
  says: Said[];
}

/** Runs a script against the engine in one language; returns a report per step (empty failures = passed). */
export async function runScript(
  engine: ConversationEngine,
  i18n: i18n,
  script: Script,
  language: Language,
): Promise<StepReport[]> {
  const conversation = new Conversation();
  let last: TurnResult | undefined;
  let current: Language = language;
  const reports: StepReport[] = [];
  const inEnglish = (words: Said) => sayIn((key, values) => i18n.t(key, { ...values, lng: 'en' }), words);

  for (const [index, action] of script.steps.entries()) {
    const failures: Said[] = [];
    let text: string | undefined;
    let opening = false;
    if ('open' in action) opening = true;
    else if ('click' in action) {
      const button = last?.buttons.find(
        (candidate) => candidate.label === action.click || candidate.id === action.click,
      );
      if (!button) {
        const offered = (last?.buttons ?? []).map((b) => b.label).join(', ');
        failures.push(
          said('problem.scriptNoButton', { click: action.click, offered: offered || said('problem.scriptNothing') }),
        );
      }
      text = button?.title;
    } else if ('answer' in action) text = action.answer;
    else if ('type' in action) text = typeof action.type === 'string' ? action.type : action.type[language];
    else if ('command' in action) text = i18n.getFixedT(current, 'common')(`commands.${action.command}`).split('|')[0];
    else text = i18n.getFixedT(current, 'common')(`languages.${action.language}`);

    if (failures.length === 0) {
      last = await conversation.turn(engine, {
        channelLocale: language,
        ...(opening ? {} : { message: { text: text ?? '' } }),
        turnId: turnIdOf('script', String(index)),
      });
      current = last.language;
      failures.push(...sameTitles(last), ...check(action.expect, last));
    }
    reports.push({
      step: index + 1,
      action: describeAction(action),
      result: last!,
      failures: failures.map(inEnglish),
      says: failures,
    });
    if (failures.length > 0) break;
  }
  return reports;
}

/** Every reply, whatever the script expects: no two of its buttons read the same. */
function sameTitles(result: TurnResult): Said[] {
  const titles = result.buttons.map((button) => button.title);
  const twice = titles.filter((title, index) => titles.indexOf(title) !== index);
  return twice.map((title) => said('problem.scriptTwoTitles', { title }));
}

function check(expected: Expectation | undefined, result: TurnResult): Said[] {
  if (!expected) return [];
  const failures: Said[] = [];
  const compare = (name: string, want: unknown, got: unknown) => {
    if (want !== undefined && want !== got)
      failures.push(
        said('problem.scriptShouldBe', { name, want: JSON.stringify(want), got: String(JSON.stringify(got)) }),
      );
  };
  compare('topic', expected.topic, result.trace.topic);
  compare('state', expected.state, result.trace.state);
  compare('expecting', expected.expecting, result.trace.expecting);
  compare('language', expected.language, result.language);
  if (expected.says) {
    let from = 0;
    for (const key of expected.says) {
      const at = result.said.indexOf(key, from);
      if (at < 0) {
        failures.push(said('problem.scriptShouldSay', { key, said: result.said.join(', ') }));
        break;
      }
      from = at + 1;
    }
  }
  for (const key of expected.never ?? [])
    if (result.said.includes(key))
      failures.push(said('problem.scriptShouldNotSay', { key, said: result.said.join(', ') }));
  for (const key of expected.noButtons ?? [])
    if (result.buttons.some((button) => button.label === key || button.id === key))
      failures.push(said('problem.scriptShouldNotOffer', { key }));
  for (const key of expected.buttons ?? []) {
    if (!result.buttons.some((button) => button.label === key || button.id === key)) {
      const offered = result.buttons.map((button) => button.label).join(', ');
      failures.push(said('problem.scriptShouldOffer', { key, offered }));
    }
  }
  return failures;
}

export function describeAction(action: Step): string {
  const { expect: _ignored, ...rest } = action;
  return JSON.stringify(rest);
}
