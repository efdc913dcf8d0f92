import { isFormNode, type DialogFile } from '../content/dialogSchema';
import type { Heard } from '../conversation/understand';
import type { AccountCall } from '../dialog/accountCalls';
import { BUTTONS, NOTICES } from '../dialog/systemKeys';

/** The label of the button that says "it works now": the steps it leads to are where a problem ends solved. */
const SOLVED_LABEL = BUTTONS.solved;

/** A form's outcomes that insights count, by the account call that ends in them. */
const COUNTED: Partial<Record<AccountCall, Record<string, string[]>>> = {
  checkLockStatus: {
    locked: ['outcome:lockChecks', 'lock:locked'],
    unlocked: ['outcome:lockChecks', 'lock:unlocked'],
    unverified: ['outcome:lockChecks', 'lock:noMatch'],
    tooManyAttempts: ['outcome:lockChecks', 'lock:tooManyAttempts'],
  },
  requestPasswordReset: { accepted: ['outcome:resetsRequested'] },
  createHelpdeskRequest: { created: ['outcome:helpdeskRequests', 'funnel:*:escalated'] },
};

/** The model's confidence, in three bands. */
export function bandOf(p: number): 'high' | 'medium' | 'low' {
  return p >= 0.85 ? 'high' : p >= 0.5 ? 'medium' : 'low';
}

/** The language a message the bot does not speak is counted and filed in (never as the English it is answered in). */
export const OTHER_LANGUAGE = 'other';

/** What one turn adds to the counters of the day it happens on. */
export interface TurnCounts {
  /** The turn's language: one of the five, or `other` for a message in a language the bot does not speak. */
  language: string;
  /** Counted once per conversation (the first time it happens, on that day). */
  once: string[];
  /** Counted at every turn. */
  always: string[];
  /** Counted once per conversation, `*` standing for the problem the conversation is about. */
  attributed: string[];
  /** The problem (topic) this turn is about, when it is one. */
  problem?: string;
  /** The step the conversation rests in, and whether it is a final one (leaving there is not giving up). */
  state: string;
  final: boolean;
}

export interface TurnFacts {
  channel: string;
  language: string;
  topic: string;
  state: string;
  said: readonly string[];
  heard?: Heard;
  /** The model's probability, when it decided. */
  p?: number;
}

/**
 * How the dialog's steps count, worked out once per content: which step means solved, a reset sent, a lock
 * checked, a request filed, a person asked for, a question off topic; which steps are final.
 */
export class CountingRules {
  private readonly reached = new Map<string, string[]>();
  private readonly saidMarks = new Map<string, string[]>();
  private readonly finals = new Set<string>();
  /** The message steps, each with the texts that show it: a topic is answered when one of them is said. */
  private readonly answers = new Map<string, ReadonlySet<string>>();
  /** Topics that are not a problem of their own: the menu, a person, off-topic questions. */
  private readonly notProblems = new Set<string>();

  constructor(dialog: DialogFile) {
    const add = (node: string, ...fields: string[]) =>
      this.reached.set(node, [...(this.reached.get(node) ?? []), ...fields]);
    for (const [id, node] of Object.entries(dialog.nodes)) {
      if (isFormNode(node)) {
        const counted = COUNTED[node.action as AccountCall] ?? {};
        for (const [outcome, target] of Object.entries(node.outcomes)) add(target, ...(counted[outcome] ?? []));
        continue;
      }
      this.answers.set(id, new Set(node.say));
      if (node.final || (node.choices.length === 0 && !node.then)) this.finals.add(id);
    }
    const solved = new Set(
      Object.values(dialog.nodes).flatMap((node) =>
        isFormNode(node) ? [] : node.choices.filter((choice) => choice.label === SOLVED_LABEL).map((c) => c.goto),
      ),
    );
    for (const node of solved) add(node, 'outcome:solved', 'funnel:*:solved');
    if (dialog.handover) add(dialog.handover, 'outcome:handovers', 'funnel:*:escalated');
    // Off-topic questions are answered and the conversation moves on: they are seen by what was said.
    const offTopic = dialog.offTopic ? dialog.nodes[dialog.offTopic] : undefined;
    if (offTopic && !isFormNode(offTopic) && offTopic.say[0]) this.saidMarks.set(offTopic.say[0], ['outcome:offTopic']);
    for (const id of [dialog.start, dialog.handover, dialog.offTopic])
      if (id && dialog.nodes[id]) this.notProblems.add(dialog.nodes[id].topic);
  }

  count(turn: TurnFacts): TurnCounts {
    const node = turn.state.split('.')[0]!;
    const problem = this.notProblems.has(turn.topic) ? undefined : turn.topic;
    const channel = /^[a-z0-9-]{1,40}$/i.test(turn.channel) ? turn.channel : 'other';
    // Answered in English, but not written in it: counted (and filed in the inbox) as a language of its own.
    const language = turn.said.includes(NOTICES.unsupportedLanguage) ? OTHER_LANGUAGE : turn.language;
    const once = ['conversations', `language:${language}`, `channel:${channel}`];
    const attributed: string[] = [];
    if (problem) {
      once.push(`topic:${problem}`, `topicByLanguage:${language}:${problem}`, `funnel:${problem}:entered`);
      // Answered: a message step of the topic was shown (its texts said), not merely rested in or asked from.
      const shows = this.answers.get(node);
      if (shows && turn.said.some((key) => shows.has(key))) once.push(`funnel:${problem}:answered`);
    }
    const marks = [...(this.reached.get(node) ?? []), ...turn.said.flatMap((key) => this.saidMarks.get(key) ?? [])];
    for (const mark of marks) (mark.includes('*') ? attributed : once).push(mark);
    const always = turn.heard
      ? [turn.heard === 'model' && turn.p !== undefined ? `heard:model:${bandOf(turn.p)}` : `heard:${turn.heard}`]
      : [];
    return {
      language,
      once,
      always,
      attributed,
      ...(problem ? { problem } : {}),
      state: turn.state,
      final: this.finals.has(node),
    };
  }
}
