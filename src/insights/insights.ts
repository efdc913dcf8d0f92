import type { Content } from '../content/loadContent';
import type { TurnResult } from '../conversation/engine';
import type { Logger } from '../logger';
import { CountingRules } from './events';
import { groupIdOf, scrub } from './scrub';
import { conversationKey, SEEN_SECONDS, type InboxGroup, type InsightsStore, type TurnRecord } from './store';

export interface InsightsOptions {
  store: InsightsStore;
  /** The live content: which steps count as what. */
  content: () => Content;
  logger: Logger;
  /** Keep messages the bot missed (scrubbed); off with INSIGHTS_INBOX=off. */
  inbox: boolean;
  inboxDays: number;
  /** A conversation silent this long outside a final step is abandoned. */
  abandonSeconds: number;
  now?: () => Date;
}

/** One turn as the bot saw it; the text only matters when the bot missed it, and is scrubbed before keeping. */
export interface SeenTurn {
  conversation: string;
  channel: string;
  text?: string;
  result: Pick<TurnResult, 'trace' | 'said' | 'heard'>;
}

export interface InsightsReport {
  conversations: number;
  byLanguage: Record<string, number>;
  byTopic: Record<string, number>;
  outcomes: Record<(typeof OUTCOMES)[number], number>;
  understanding: { buttons: number; understood: number; clarified: number; notUnderstood: number };
  byChannel: Record<string, number>;
  topicsByLanguage: Record<string, Record<string, number>>;
  lockResults: Record<string, number>;
  funnel: Record<string, { entered: number; answered: number; solved: number; escalated: number }>;
  stops: Array<{ step: string; count: number }>;
  days: Array<{
    day: string;
    conversations: number;
    byLanguage: Record<string, number>;
    byChannel: Record<string, number>;
    understanding: InsightsReport['understanding'];
  }>;
}

const OUTCOMES = [
  'solved',
  'resetsRequested',
  'lockChecks',
  'helpdeskRequests',
  'handovers',
  'offTopic',
  'abandoned',
] as const;

/** At most this many turns wait for the store at once; beyond that a turn goes uncounted, never slower. */
const MAX_PENDING = 256;
/** Conversations whose once-a-conversation marks this instance remembers, so later turns send only what is new. */
const REMEMBERED = 10_000;
/** A store that fails is reported at most this often, not at every turn. */
const WARN_EVERY_MS = 60_000;
/** The longest date range a report covers. */
export const MAX_DAYS = 400;

export function dayOf(time: Date): string {
  return time.toISOString().slice(0, 10);
}

/** The days from `from` to `to`, both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let time = Date.parse(from); time <= Date.parse(to) && days.length <= MAX_DAYS; time += 24 * 3600 * 1000)
    days.push(dayOf(new Date(time)));
  return days;
}

function understandingOf(counts: Record<string, number>): InsightsReport['understanding'] {
  const field = (name: string) => counts[`heard:${name}`] ?? 0;
  return {
    buttons: field('button'),
    understood: field('command') + field('model:high') + field('model:medium') + field('model:low'),
    clarified: field('clarified'),
    notUnderstood: field('notUnderstood'),
  };
}

/** What support leads see of how the bot does: counted per turn, the misses kept scrubbed in an inbox. */
export class Insights {
  private rules: { content: Content; rules: CountingRules } | undefined;
  /** Turns seen and not yet sent to the store, oldest first. */
  private queued: TurnRecord[] = [];
  /** The write under way, if any. */
  private writing: Promise<void> | undefined;
  /** The inbox writes under way. */
  private readonly filing = new Set<Promise<void>>();
  private warned = 0;
  /** Conversation → the once-a-conversation marks already counted (the store's own check stays the authority). */
  private readonly counted = new Map<string, { at: number; marks: Set<string> }>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: InsightsOptions) {
    this.now = options.now ?? (() => new Date());
  }

  private countingRules(): CountingRules {
    const content = this.options.content();
    if (this.rules?.content !== content) this.rules = { content, rules: new CountingRules(content.dialog) };
    return this.rules.rules;
  }

  /**
   * Counts the turn in the background: the turn never waits for it, and a failure is only logged. Turns are sent
   * to the store together, in the order they were seen: those seen while a write is under way go in the next one.
   */
  record(turn: SeenTurn): void {
    if (this.queued.length >= MAX_PENDING) return;
    const now = this.now();
    const { conversation, channel, text, result } = turn;
    const { trace, said, heard } = result;
    const counts = this.countingRules().count({
      channel,
      language: trace.locale,
      topic: trace.topic,
      state: trace.state,
      said,
      ...(heard ? { heard } : {}),
      ...(trace.understood ? { p: trace.understood.p } : {}),
    });
    const key = conversationKey(conversation);
    const day = dayOf(now);
    const known = this.counted.get(key);
    // Silent longer than the store remembers: a new conversation to the store, so to this instance too.
    if (known && known.at < now.getTime() - SEEN_SECONDS * 1000) this.counted.delete(key);
    const marks = this.counted.get(key)?.marks;
    const once = marks ? counts.once.filter((field) => !marks.has(field)) : counts.once;
    this.queued.push({ ...counts, once, conversation: key, day, at: now.getTime() });
    this.writing ??= this.writeQueued();
    // Only what the bot missed, never an answer to its question; scrubbed before it is kept.
    const missed = heard === 'notUnderstood' || heard === 'clarified';
    const kept = this.options.inbox && missed && text ? scrub(text) : undefined;
    if (kept)
      this.background(
        this.options.store.addToInbox({
          id: groupIdOf(counts.language, kept),
          text: kept,
          language: counts.language,
          at: now.getTime(),
          keepAfter: this.inboxCutoff(),
        }),
      );
  }

  /** Writes the turns queued, then those queued meanwhile, until none is left. */
  private async writeQueued(): Promise<void> {
    try {
      // The turns answered in this moment go together.
      await new Promise((resolve) => setImmediate(resolve));
      while (this.queued.length > 0) {
        const turns = this.queued.splice(0);
        try {
          await this.options.store.record(turns);
          for (const turn of turns) this.remember(turn.conversation, turn.once, turn.at);
        } catch (error) {
          this.failed(error as Error);
        }
      }
    } finally {
      this.writing = undefined;
    }
  }

  private background(write: Promise<void>): void {
    const filed: Promise<void> = write
      .catch((error: Error) => this.failed(error))
      .finally(() => this.filing.delete(filed));
    this.filing.add(filed);
  }

  private failed(error: Error): void {
    if (Date.now() - this.warned < WARN_EVERY_MS) return;
    this.warned = Date.now();
    this.options.logger.warn({ error: error.message }, 'insights: turns are not being counted');
  }

  private remember(key: string, fields: readonly string[], at: number): void {
    let known = this.counted.get(key);
    if (!known) {
      if (this.counted.size >= REMEMBERED) this.counted.delete(this.counted.keys().next().value!);
      this.counted.set(key, (known = { at, marks: new Set() }));
    }
    known.at = at;
    for (const field of fields) known.marks.add(field);
  }

  private inboxCutoff(): number {
    return this.now().getTime() - this.options.inboxDays * 24 * 3600 * 1000;
  }

  /** Counts abandoned conversations now (every instance does it now and then; each is counted by one). */
  sweep(): Promise<number> {
    return this.options.store.sweep(this.now().getTime() - this.options.abandonSeconds * 1000);
  }

  /** Looks for abandoned conversations regularly: a quarter of the timeout, at most every minute. */
  startSweeping(): void {
    const every = Math.min(60_000, Math.max(250, (this.options.abandonSeconds * 1000) / 4));
    this.sweeper = setInterval(() => {
      this.sweep().catch((error: Error) => this.options.logger.warn({ error: error.message }, 'insights: sweep'));
    }, every);
    this.sweeper.unref();
  }

  async report(from: string, to: string): Promise<InsightsReport> {
    const days = daysBetween(from, to);
    const perDay = await this.options.store.days(days);
    const total: Record<string, number> = {};
    for (const counts of perDay)
      for (const [field, count] of Object.entries(counts)) total[field] = (total[field] ?? 0) + count;
    const prefixed = (prefix: string, counts: Record<string, number> = total) =>
      Object.fromEntries(
        Object.entries(counts)
          .filter(([field]) => field.startsWith(prefix))
          .map(([field, count]) => [field.slice(prefix.length), count]),
      );
    const topicsByLanguage: InsightsReport['topicsByLanguage'] = {};
    for (const [field, count] of Object.entries(prefixed('topicByLanguage:'))) {
      const [language, topic] = field.split(':') as [string, string];
      (topicsByLanguage[language] ??= {})[topic] = count;
    }
    const funnel: InsightsReport['funnel'] = {};
    for (const [field, count] of Object.entries(prefixed('funnel:'))) {
      const [topic, stage] = field.split(':') as [string, 'entered' | 'answered' | 'solved' | 'escalated'];
      (funnel[topic] ??= { entered: 0, answered: 0, solved: 0, escalated: 0 })[stage] = count;
    }
    return {
      conversations: total.conversations ?? 0,
      byLanguage: prefixed('language:'),
      byTopic: prefixed('topic:'),
      outcomes: Object.fromEntries(
        OUTCOMES.map((outcome) => [outcome, total[`outcome:${outcome}`] ?? 0]),
      ) as InsightsReport['outcomes'],
      understanding: understandingOf(total),
      byChannel: prefixed('channel:'),
      topicsByLanguage,
      lockResults: prefixed('lock:'),
      funnel,
      stops: Object.entries(prefixed('stop:'))
        .map(([step, count]) => ({ step, count }))
        .sort((a, b) => b.count - a.count || a.step.localeCompare(b.step)),
      days: days.map((day, index) => ({
        day,
        conversations: perDay[index]!.conversations ?? 0,
        byLanguage: prefixed('language:', perDay[index]),
        byChannel: prefixed('channel:', perDay[index]),
        understanding: understandingOf(perDay[index]!),
      })),
    };
  }

  /** The inbox, most often missed first. */
  async inbox(): Promise<InboxGroup[]> {
    const groups = await this.options.store.inbox(this.inboxCutoff());
    return groups.sort((a, b) => b.count - a.count || b.lastSeen.localeCompare(a.lastSeen));
  }

  take(id: string): Promise<InboxGroup | undefined> {
    return this.options.store.takeFromInbox(id);
  }

  /** Resolves once every turn recorded so far is in the store, counts and inbox (or failed and was logged). */
  async settled(): Promise<void> {
    while (this.writing || this.filing.size > 0) await Promise.all([this.writing, ...this.filing]);
  }

  async close(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.settled();
    await this.options.store.close();
  }
}
