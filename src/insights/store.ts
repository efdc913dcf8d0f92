import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../state/redisConnection';
import type { TurnCounts } from './events';

/** Counts are kept this long. */
export const KEEP_DAYS = 400;
/**
 * "Counted once per conversation" is remembered this long after the conversation's last message: one silent for
 * longer counts as a new conversation when it resumes.
 */
export const SEEN_SECONDS = 2 * 24 * 3600;
/** The inbox keeps at most this many groups; the ones seen longest ago go first. */
export const INBOX_CAP = 500;
/** Examples kept per group: different writings that fold alike. */
const EXAMPLES = 3;

/** One turn as the store counts it: the conversation (hashed), the day and the time, and what it adds. */
export interface TurnRecord extends TurnCounts {
  conversation: string;
  day: string;
  at: number;
}

export interface InboxGroup {
  id: string;
  text: string;
  language: string;
  count: number;
  lastSeen: string;
  examples: string[];
}

export interface InboxEntry {
  id: string;
  text: string;
  language: string;
  at: number;
  /** Groups last seen before this time are forgotten; over the cap, the oldest go. */
  keepAfter: number;
}

/**
 * Where insights are kept: counters per day that add up across instances, each conversation's last step
 * until it is over, and the inbox. Redis when configured, else a file in the studio's data folder.
 */
export interface InsightsStore {
  /** Counts turns in the order given (one call for all: a busy instance sends the turns of a moment together). */
  record(turns: readonly TurnRecord[]): Promise<void>;
  /** Counts the conversations silent since `cutoff` outside a final step as abandoned, each once; how many. */
  sweep(cutoff: number): Promise<number>;
  days(days: readonly string[]): Promise<Array<Record<string, number>>>;
  addToInbox(entry: InboxEntry): Promise<void>;
  inbox(keepAfter: number): Promise<InboxGroup[]>;
  /** Takes a group out of the inbox (taught or dismissed); undefined when it is not there. */
  takeFromInbox(id: string): Promise<InboxGroup | undefined>;
  close(): Promise<void>;
}

/** A conversation's id as stored: hashed, so the store says nothing about who talked. */
export function conversationKey(id: string): string {
  return createHash('sha256').update(id).digest('base64url').slice(0, 22);
}

/** Every key under one hash tag, so a Redis Cluster keeps them in one slot (the scripts touch several). */
const PREFIX = '{insights}:';
const LAST = `${PREFIX}last`;
const ACTIVE = `${PREFIX}active`;
const INBOX = `${PREFIX}inbox`;
const INBOX_SEEN = `${PREFIX}inbox:seen`;
const dayKey = (day: string) => `${PREFIX}day:${day}`;
/** A conversation's once-counted marks, kept while it goes on (and two days after). */
const seenKey = (conversation: string) => `${PREFIX}seen:${conversation}`;
/** Conversations claimed per sweep; the rest wait for the next. */
const SWEEP_BATCH = 200;

/**
 * Counts turns, in the order given: for each, once-per-conversation marks (in the conversation's own set),
 * every-turn counts, the problem carried over, the last step. ARGV[1]: how many turns; then each turn's fields as
 * recordArgs lays them out. Every key touched is declared: KEYS are last steps, the active set, then for each turn
 * in order its day's counts and its conversation's marks (all under the one hash tag).
 */
const RECORD = `
local turns = tonumber(ARGV[1])
local i = 2
for t = 1, turns do
  local conv, at, keepDays, keepSeen = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local problem, state, final, day = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  local dayKey, seenKey = KEYS[2 * t + 1], KEYS[2 * t + 2]
  local previous = redis.call('HGET', KEYS[1], conv)
  if problem == '' and previous then problem = string.match(previous, '^[^\\t]*\\t[^\\t]*\\t[^\\t]*\\t(.*)$') or '' end
  local function once(field)
    if redis.call('SADD', seenKey, field) == 1 then redis.call('HINCRBY', dayKey, field, 1) end
  end
  i = i + 8
  for _ = 1, tonumber(ARGV[i]) do i = i + 1; once(ARGV[i]) end
  i = i + 1
  for _ = 1, tonumber(ARGV[i]) do i = i + 1; redis.call('HINCRBY', dayKey, ARGV[i], 1) end
  i = i + 1
  for _ = 1, tonumber(ARGV[i]) do
    i = i + 1
    if problem ~= '' then once((string.gsub(ARGV[i], '%*', problem))) end
  end
  i = i + 1
  redis.call('EXPIRE', dayKey, keepDays)
  redis.call('EXPIRE', seenKey, keepSeen)
  if final == '1' then
    redis.call('HDEL', KEYS[1], conv)
    redis.call('ZREM', KEYS[2], conv)
  else
    redis.call('HSET', KEYS[1], conv, day .. '\\t' .. state .. '\\t' .. final .. '\\t' .. problem)
    redis.call('ZADD', KEYS[2], at, conv)
  end
end
return turns
`;

/**
 * Claims one conversation silent since the cutoff (removing it from the active set is the claim: one script at a
 * time, so one instance) and counts it once as abandoned on its last day, with the step it stopped at. Every key
 * it touches is declared: KEYS are the active set, last steps, the conversation's marks and its last day's counts
 * (the day as read before; a conversation that spoke since is no longer due and is left alone).
 */
const SWEEP = `
local conv, cutoff, day = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local score = redis.call('ZSCORE', KEYS[1], conv)
if not score or tonumber(score) > cutoff then return 0 end
local last = redis.call('HGET', KEYS[2], conv)
local lastDay, state = '', ''
if last then lastDay, state = string.match(last, '^([^\\t]*)\\t([^\\t]*)') end
if last and lastDay ~= day then return 0 end
redis.call('ZREM', KEYS[1], conv)
redis.call('HDEL', KEYS[2], conv)
if not last then return 0 end
if redis.call('SADD', KEYS[3], 'outcome:abandoned') == 0 then return 0 end
redis.call('EXPIRE', KEYS[3], ARGV[5])
redis.call('HINCRBY', KEYS[4], 'outcome:abandoned', 1)
redis.call('HINCRBY', KEYS[4], 'stop:' .. state, 1)
redis.call('EXPIRE', KEYS[4], ARGV[4])
return 1
`;

/** Adds a message to its group (or starts one), forgets groups older than the window, keeps the cap. */
const INBOX_ADD = `
local id, text, language, at, keepAfter, cap, examples = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local current = redis.call('HGET', KEYS[1], id)
local group
if current then
  group = cjson.decode(current)
  group.count = group.count + 1
  local known = false
  for _, example in ipairs(group.examples) do if example == text then known = true end end
  if not known and #group.examples < tonumber(examples) then table.insert(group.examples, text) end
else
  group = { id = id, text = text, language = language, count = 1, examples = { text } }
end
group.lastSeen = tonumber(at)
redis.call('HSET', KEYS[1], id, cjson.encode(group))
redis.call('ZADD', KEYS[2], at, id)
local old = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. keepAfter)
for _, each in ipairs(old) do redis.call('HDEL', KEYS[1], each) end
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', '(' .. keepAfter)
local over = redis.call('ZCARD', KEYS[2]) - tonumber(cap)
if over > 0 then
  local oldest = redis.call('ZRANGE', KEYS[2], 0, over - 1)
  for _, each in ipairs(oldest) do redis.call('HDEL', KEYS[1], each) end
  redis.call('ZREMRANGEBYRANK', KEYS[2], 0, over - 1)
end
return 1
`;

/** The stored group as the API shows it: last seen as a time. */
function groupOf(stored: Omit<InboxGroup, 'lastSeen'> & { lastSeen: number }): InboxGroup {
  return { ...stored, lastSeen: new Date(stored.lastSeen).toISOString() };
}

function recordArgs(turn: TurnRecord): string[] {
  return [
    turn.conversation,
    String(turn.at),
    String(KEEP_DAYS * 24 * 3600),
    String(SEEN_SECONDS),
    turn.problem ?? '',
    turn.state,
    turn.final ? '1' : '0',
    turn.day,
    String(turn.once.length),
    ...turn.once,
    String(turn.always.length),
    ...turn.always,
    String(turn.attributed.length),
    ...turn.attributed,
  ];
}

export class RedisInsightsStore implements InsightsStore {
  private readonly shas = new Map<string, string>();

  constructor(private readonly redis: RedisClient) {}

  /** Runs a script by its hash, loading it the first time (or after Redis forgot it). */
  private async run(script: string, keys: string[], args: string[]): Promise<unknown> {
    const sha = this.shas.get(script);
    if (sha) {
      try {
        return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
      } catch (error) {
        if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      }
    }
    this.shas.set(script, createHash('sha1').update(script).digest('hex'));
    return this.redis.eval(script, keys.length, ...keys, ...args);
  }

  async record(turns: readonly TurnRecord[]): Promise<void> {
    if (turns.length === 0) return;
    const keys = turns.flatMap((turn) => [dayKey(turn.day), seenKey(turn.conversation)]);
    await this.run(RECORD, [LAST, ACTIVE, ...keys], [String(turns.length), ...turns.flatMap(recordArgs)]);
  }

  async sweep(cutoff: number): Promise<number> {
    const due = await this.redis.zrangebyscore(ACTIVE, '-inf', cutoff, 'LIMIT', 0, SWEEP_BATCH);
    if (due.length === 0) return 0;
    const lasts = await this.redis.hmget(LAST, ...due);
    let counted = 0;
    for (const [index, conversation] of due.entries()) {
      const day = lasts[index]?.split('\t')[0] ?? '';
      counted += Number(
        await this.run(
          SWEEP,
          [ACTIVE, LAST, seenKey(conversation), dayKey(day)],
          [conversation, String(cutoff), day, String(KEEP_DAYS * 24 * 3600), String(SEEN_SECONDS)],
        ),
      );
    }
    return counted;
  }

  async days(days: readonly string[]): Promise<Array<Record<string, number>>> {
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(dayKey(day));
    const results = (await pipeline.exec()) ?? [];
    return results.map(([error, value]) => {
      if (error) throw error;
      return Object.fromEntries(Object.entries(value as Record<string, string>).map(([k, v]) => [k, Number(v)]));
    });
  }

  async addToInbox(entry: InboxEntry): Promise<void> {
    await this.run(
      INBOX_ADD,
      [INBOX, INBOX_SEEN],
      [
        entry.id,
        entry.text,
        entry.language,
        String(entry.at),
        String(entry.keepAfter),
        String(INBOX_CAP),
        String(EXAMPLES),
      ],
    );
  }

  async inbox(keepAfter: number): Promise<InboxGroup[]> {
    const ids = await this.redis.zrangebyscore(INBOX_SEEN, keepAfter, '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.hmget(INBOX, ...ids);
    return values.flatMap((value) => (value ? [groupOf(JSON.parse(value) as Parameters<typeof groupOf>[0])] : []));
  }

  async takeFromInbox(id: string): Promise<InboxGroup | undefined> {
    const [[, value], [, removed]] = ((await this.redis
      .multi()
      .hget(INBOX, id)
      .hdel(INBOX, id)
      .zrem(INBOX_SEEN, id)
      .exec()) ?? []) as Array<[Error | null, unknown]>;
    return removed && typeof value === 'string'
      ? groupOf(JSON.parse(value) as Parameters<typeof groupOf>[0])
      : undefined;
  }

  async close(): Promise<void> {}
}

interface FileData {
  days: Record<string, Record<string, number>>;
  /** Per conversation: its once-counted marks and when it last spoke. */
  seen: Record<string, { at: number; marks: string[] }>;
  last: Record<string, { at: number; day: string; state: string; problem: string }>;
  inbox: Record<string, Omit<InboxGroup, 'lastSeen'> & { lastSeen: number }>;
}

/**
 * One instance without Redis: the same counting in memory, written to a file in the data folder now and then.
 * The file is written whole to a temporary file and renamed over the old one, so it is never half written;
 * two processes on one folder do not corrupt it, but each keeps its own counts and the last to write wins.
 */
export class FileInsightsStore implements InsightsStore {
  private readonly file: string;
  private readonly data: FileData;
  private readonly seen = new Map<string, { at: number; marks: Set<string> }>();
  /** The newest turn counted: marks of conversations silent long before it are forgotten. */
  private latest = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'insights.json');
    this.data = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as FileData)
      : { days: {}, seen: {}, last: {}, inbox: {} };
    for (const [conversation, seen] of Object.entries(this.data.seen ?? {}))
      // (A file from before marks were kept per conversation has lists per day: those are let go.)
      if (!Array.isArray(seen)) {
        this.seen.set(conversation, { at: seen.at, marks: new Set(seen.marks) });
        this.latest = Math.max(this.latest, seen.at);
      }
  }

  private changed(): void {
    this.timer ??= setTimeout(() => this.flush(), 1000);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    const today = Date.now();
    const oldest = new Date(today - KEEP_DAYS * 24 * 3600 * 1000).toISOString().slice(0, 10);
    for (const day of Object.keys(this.data.days)) if (day < oldest) delete this.data.days[day];
    for (const [conversation, seen] of this.seen)
      if (seen.at < this.latest - SEEN_SECONDS * 1000) this.seen.delete(conversation);
    this.data.seen = Object.fromEntries(
      [...this.seen].map(([conversation, { at, marks }]) => [conversation, { at, marks: [...marks] }]),
    );
    const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  private count(day: string, conversation: string, field: string, once: boolean): boolean {
    if (once) {
      let seen = this.seen.get(conversation);
      if (!seen) this.seen.set(conversation, (seen = { at: this.latest, marks: new Set() }));
      if (seen.marks.has(field)) return false;
      seen.marks.add(field);
    }
    const counts = (this.data.days[day] ??= {});
    counts[field] = (counts[field] ?? 0) + 1;
    return true;
  }

  async record(turns: readonly TurnRecord[]): Promise<void> {
    for (const turn of turns) this.recordOne(turn);
  }

  private recordOne(turn: TurnRecord): void {
    const { conversation, day } = turn;
    const problem = turn.problem ?? this.data.last[conversation]?.problem ?? '';
    this.latest = Math.max(this.latest, turn.at);
    const seen = this.seen.get(conversation);
    if (seen && seen.at < turn.at - SEEN_SECONDS * 1000) this.seen.delete(conversation);
    for (const field of turn.once) this.count(day, conversation, field, true);
    for (const field of turn.always) this.count(day, conversation, field, false);
    if (problem) for (const field of turn.attributed) this.count(day, conversation, field.replace('*', problem), true);
    const marks = this.seen.get(conversation);
    if (marks) marks.at = turn.at;
    else this.seen.set(conversation, { at: turn.at, marks: new Set() });
    if (turn.final) delete this.data.last[conversation];
    else this.data.last[conversation] = { at: turn.at, day, state: turn.state, problem };
    this.changed();
  }

  async sweep(cutoff: number): Promise<number> {
    let counted = 0;
    for (const [conversation, last] of Object.entries(this.data.last)) {
      if (last.at > cutoff) continue;
      delete this.data.last[conversation];
      if (this.count(last.day, conversation, 'outcome:abandoned', true)) {
        this.count(last.day, conversation, `stop:${last.state}`, false);
        counted++;
      }
    }
    if (counted > 0) this.changed();
    return counted;
  }

  async days(days: readonly string[]): Promise<Array<Record<string, number>>> {
    return days.map((day) => ({ ...this.data.days[day] }));
  }

  async addToInbox(entry: InboxEntry): Promise<void> {
    const group = this.data.inbox[entry.id];
    if (group) {
      group.count++;
      group.lastSeen = entry.at;
      if (!group.examples.includes(entry.text) && group.examples.length < EXAMPLES) group.examples.push(entry.text);
    } else {
      this.data.inbox[entry.id] = {
        id: entry.id,
        text: entry.text,
        language: entry.language,
        count: 1,
        lastSeen: entry.at,
        examples: [entry.text],
      };
    }
    const groups = Object.values(this.data.inbox).sort((a, b) => b.lastSeen - a.lastSeen);
    for (const [index, each] of groups.entries())
      if (each.lastSeen < entry.keepAfter || index >= INBOX_CAP) delete this.data.inbox[each.id];
    this.changed();
  }

  async inbox(keepAfter: number): Promise<InboxGroup[]> {
    return Object.values(this.data.inbox)
      .filter((group) => group.lastSeen >= keepAfter)
      .map(groupOf);
  }

  async takeFromInbox(id: string): Promise<InboxGroup | undefined> {
    const group = this.data.inbox[id];
    if (!group) return undefined;
    delete this.data.inbox[id];
    this.changed();
    return groupOf(group);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.flush();
  }
}
