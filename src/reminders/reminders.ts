import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger';
import type { RedisClient } from '../state/redisConnection';

/** A message to send into a conversation at a set time. `conversation` is the channel's own reference. */
export interface Reminder {
  id: string;
  /** Milliseconds since the epoch. */
  at: number;
  conversation: Record<string, unknown>;
  /** How to reach the conversation: through a channel, or this process's own Direct Line endpoint. */
  via: 'channel' | 'local';
  text: string;
  locale: string;
  /** The message as its channel shows it (text and the menu's buttons); older reminders have only `text`. */
  activity?: Record<string, unknown>;
}

/** Where reminders wait. `takeDue` hands each one out once, even to several instances polling together. */
export interface ReminderStore {
  add(reminder: Reminder): Promise<void>;
  takeDue(now: number, limit: number): Promise<Reminder[]>;
  close(): Promise<void>;
}

export class MemoryReminderStore implements ReminderStore {
  private waiting: Reminder[] = [];

  async add(reminder: Reminder): Promise<void> {
    this.waiting.push(reminder);
  }

  async takeDue(now: number, limit: number): Promise<Reminder[]> {
    const due = this.waiting
      .filter((reminder) => reminder.at <= now)
      .sort((a, b) => a.at - b.at)
      .slice(0, limit);
    this.waiting = this.waiting.filter((reminder) => !due.includes(reminder));
    return due;
  }

  async close(): Promise<void> {
    this.waiting = [];
  }
}

/** A sorted set by due time, shared by every instance; ZREM decides which instance sends each one. */
export class RedisReminderStore implements ReminderStore {
  constructor(
    private readonly redis: RedisClient,
    private readonly key = 'helpdesk:reminders',
  ) {}

  async add(reminder: Reminder): Promise<void> {
    await this.redis.zadd(this.key, reminder.at, JSON.stringify(reminder));
  }

  async takeDue(now: number, limit: number): Promise<Reminder[]> {
    const due = await this.redis.zrangebyscore(this.key, '-inf', now, 'LIMIT', 0, limit);
    const taken: Reminder[] = [];
    for (const member of due) {
      if ((await this.redis.zrem(this.key, member)) === 1) taken.push(JSON.parse(member) as Reminder);
    }
    return taken;
  }

  async close(): Promise<void> {}
}

/**
 * What sending into a conversation later needs of its reference: where (channel, service, conversation, tenant)
 * and between whom (ids only). Display names and the rest stay out of the store.
 */
export function sendable(reference: Record<string, unknown>): Record<string, unknown> {
  const pick = (value: unknown, fields: readonly string[]) => {
    if (!value || typeof value !== 'object') return undefined;
    const picked = Object.fromEntries(
      fields
        .map((field) => [field, (value as Record<string, unknown>)[field]])
        .filter(([, kept]) => kept !== undefined),
    );
    return Object.keys(picked).length > 0 ? picked : undefined;
  };
  const kept = {
    channelId: reference.channelId,
    serviceUrl: reference.serviceUrl,
    locale: reference.locale,
    conversation: pick(reference.conversation, ['id', 'tenantId', 'conversationType', 'isGroup']),
    user: pick(reference.user, ['id', 'role']),
    bot: pick(reference.bot, ['id', 'role']),
  };
  return Object.fromEntries(Object.entries(kept).filter(([, value]) => value !== undefined));
}

/**
 * Sends reminders when they fall due: polls the store every `pollMs` (a reminder may come that much late)
 * and hands each due one to `send`. A failed send is logged and dropped: the candidate can always ask again.
 */
export class Reminders {
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  /** Reminders for this process's own Direct Line conversations, when those live only in its memory. */
  private readonly local = new MemoryReminderStore();

  constructor(
    private readonly store: ReminderStore,
    private readonly logger: Logger,
    private readonly pollMs = 1000,
    /** True when the local Direct Line's conversations are in this process only: their reminders stay here. */
    private readonly localInProcess = true,
  ) {}

  start(send: (reminder: Reminder) => Promise<void>): void {
    this.timer = setInterval(() => void this.poll(send), this.pollMs);
    this.timer.unref();
  }

  async schedule(reminder: Omit<Reminder, 'id'>): Promise<void> {
    try {
      await (reminder.via === 'local' && this.localInProcess ? this.local : this.store).add({
        ...reminder,
        conversation: sendable(reminder.conversation),
        id: randomUUID(),
      });
    } catch (error) {
      this.logger.warn(
        { err: { name: (error as Error).name, message: (error as Error).message } },
        'reminder not scheduled',
      );
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.local.close();
    await this.store.close();
  }

  private async poll(send: (reminder: Reminder) => Promise<void>): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const now = Date.now();
      const due = [...(await this.local.takeDue(now, 50)), ...(await this.store.takeDue(now, 50))];
      for (const reminder of due) {
        await send(reminder).catch((error: Error) =>
          this.logger.warn(
            { err: { name: error.name, message: error.message }, via: reminder.via },
            'reminder not delivered',
          ),
        );
      }
    } catch (error) {
      this.logger.warn(
        { err: { name: (error as Error).name, message: (error as Error).message } },
        'reminders not read',
      );
    } finally {
      this.polling = false;
    }
  }
}
