import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RedisClient } from '../state/redisConnection';
import type { TurnCounts } from './events';

/** Counts are kept this long. */
export const KEEP_DAYS = 400;
/** "Counted once per conversation" is remembered for a day and a bit: a day's counts are then settled. */
const SEEN_SECONDS = 2 * 24 * 3600;
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

/**
 * Counts turns, in the order given: for each, once-per-conversation marks, every-turn counts, the problem
 * carried over, the last step. ARGV[1]: the key prefix, ARGV[2]: how many turns; then each turn's fields as
 * recordArgs lays them out. The keys of a turn's day are named here, under the one hash tag (as SWEEP does).
 */
const RECORD = `
local prefix, turns = ARGV[1], tonumber(ARGV[2])
local i = 3
for _ = 1, turns do
  local conv, at, keepDays, keepSeen = ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]
  local problem, state, final, day = ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
  local dayKey, seenKey = prefix .. 'day:' .. day, prefix .. 'seen:' .. day
  local previous = redis.call('HGET', KEYS[1], conv)
  if problem == '' and previous then problem = string.match(previous, '^[^\\t]*\\t[^\\t]*\\t[^\\t]*\\t(.*)$') or '' end
  local function once(field)
    if redis.call('SADD', seenKey, conv .. '|' .. field) == 1 then redis.call('HINCRBY', dayKey, field, 1) end
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
 * Claims the conversations silent since the cutoff (removing each from the set is the claim: one script at a
 * time, so one instance) and counts each once as abandoned on its last day, with the step it stopped at.
 */
const SWEEP = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, 200)
local counted = 0
for _, conv in ipairs(due) do
  redis.call('ZREM', KEYS[1], conv)
  local last = redis.call('HGET', KEYS[2], conv)
  redis.call('HDEL', KEYS[2], conv)
  if last then
    local day, state = string.match(last, '^([^\\t]*)\\t([^\\t]*)')
    -- Keys of one day, named here as the record script names them: all under the one hash tag.
    local dayKey, seenKey = ARGV[2] .. 'day:' .. day, ARGV[2] .. 'seen:' .. day
    local first = redis.call('SADD', seenKey, conv .. '|outcome:abandoned') == 1
    redis.call('EXPIRE', seenKey, ARGV[4])
    if first then
      redis.call('HINCRBY', dayKey, 'outcome:abandoned', 1)
      redis.call('HINCRBY', dayKey, 'stop:' .. state, 1)
      redis.call('EXPIRE', dayKey, ARGV[3])
      counted = counted + 1
    end
  end
end
return counted
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
    await this.run(RECORD, [LAST, ACTIVE], [PREFIX, String(turns.length), ...turns.flatMap(recordArgs)]);
  }

  async sweep(cutoff: number): Promise<number> {
    return Number(
      await this.run(
        SWEEP,
        [ACTIVE, LAST],
        [String(cutoff), PREFIX, String(KEEP_DAYS * 24 * 3600), String(SEEN_SECONDS)],
      ),
    );
  }

  async days(days: readonly string[]): Promise<Array<Record<string, number>>> {
    const pipeline = this.redis.pipeline();
    for (const day of days) pipeline.hgetall(`${PREFIX}day:${day}`);
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
  seen: Record<string, string[]>;
  last: Record<string, { at: number; day: string; state: string; problem: string }>;
  inbox: Record<string, Omit<InboxGroup, 'lastSeen'> & { lastSeen: number }>;
}

/** One instance without Redis: the same counting in memory, written to a file in the data folder now and then. */
export class FileInsightsStore implements InsightsStore {
  private readonly file: string;
  private readonly data: FileData;
  private readonly seen = new Map<string, Set<string>>();
  private timer: NodeJS.Timeout | undefined;

  constructor(dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = path.join(dir, 'insights.json');
    this.data = existsSync(this.file)
      ? (JSON.parse(readFileSync(this.file, 'utf8')) as FileData)
      : { days: {}, seen: {}, last: {}, inbox: {} };
    for (const [day, marks] of Object.entries(this.data.seen)) this.seen.set(day, new Set(marks));
  }

  private changed(): void {
    this.timer ??= setTimeout(() => this.flush(), 1000);
    this.timer.unref();
  }

  private flush(): void {
    this.timer = undefined;
    const today = Date.now();
    const oldest = new Date(today - KEEP_DAYS * 24 * 3600 * 1000).toISOString().slice(0, 10);
    const recent = new Date(today - SEEN_SECONDS * 1000).toISOString().slice(0, 10);
    for (const day of Object.keys(this.data.days)) if (day < oldest) delete this.data.days[day];
    for (const day of [...this.seen.keys()]) if (day < recent) this.seen.delete(day);
    this.data.seen = Object.fromEntries([...this.seen].map(([day, marks]) => [day, [...marks]]));
    const temporary = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    writeFileSync(temporary, JSON.stringify(this.data), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  private count(day: string, conversation: string, field: string, once: boolean): boolean {
    if (once) {
      let marks = this.seen.get(day);
      if (!marks) this.seen.set(day, (marks = new Set()));
      const mark = `${conversation}|${field}`;
      if (marks.has(mark)) return false;
      marks.add(mark);
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
    for (const field of turn.once) this.count(day, conversation, field, true);
    for (const field of turn.always) this.count(day, conversation, field, false);
    if (problem) for (const field of turn.attributed) this.count(day, conversation, field.replace('*', problem), true);
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
