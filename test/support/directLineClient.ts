import { DirectLine, type Activity } from 'botframework-directlinejs';
import { Observable } from 'rxjs/Observable';
import WebSocket from 'ws';
import { english } from './helpers';

/**
 * directlinejs's transport for Node: it was written for browsers (XMLHttpRequest, WebSocket), so in Node
 * its `ajax` service is given fetch and its `WebSocket` is ws. The client's own logic is untouched.
 */
function fetchAjax(settings: { url?: string; method?: string; headers?: Record<string, string>; body?: unknown }) {
  return Observable.create(
    (observer: { next(value: unknown): void; error(error: unknown): void; complete(): void }) => {
      const body =
        settings.body === undefined
          ? undefined
          : typeof settings.body === 'string'
            ? settings.body
            : JSON.stringify(settings.body);
      fetch(settings.url!, {
        method: settings.method ?? 'GET',
        headers: settings.headers ?? {},
        ...(body !== undefined ? { body } : {}),
      })
        .then(async (response) => {
          const text = await response.text();
          const parsed = text ? (JSON.parse(text) as unknown) : null;
          if (response.ok) {
            observer.next({ status: response.status, response: parsed, responseType: 'json' });
            observer.complete();
          } else observer.error({ status: response.status, response: parsed });
        })
        .catch((error: Error) => observer.error({ status: 0, message: error.message }));
    },
  );
}

// directlinejs decides whether it can stream by looking for a global WebSocket, which Node 20 lacks.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export function directLineClient(options: { token: string; domain: string; webSocket: boolean }): DirectLine {
  return new DirectLine({
    token: options.token,
    domain: options.domain,
    webSocket: options.webSocket,
    // A streaming client that fell back to polling would wait a minute for each reply, and its test time out.
    pollingInterval: options.webSocket ? 60_000 : 200,
    ajax: fetchAjax as never,
    WebSocket: WebSocket as never,
  } as never);
}

/** An activity as it arrives: the fields the tests read, and whatever else the bot sent. */
export interface Received {
  type: string;
  id?: string;
  from: { id: string; role?: string };
  text?: string;
  suggestedActions?: { actions: Array<{ title: string }>; to?: string[] };
  [field: string]: unknown;
}

/** Collects what arrives on a client's activity stream, and waits for a bot message that matches. */
export class Inbox {
  readonly received: Received[] = [];
  private waiters: Array<{ test: (activity: Received) => boolean; resolve: (activity: Received) => void }> = [];
  private readonly subscription: { unsubscribe(): void };

  constructor(client: DirectLine) {
    this.subscription = client.activity$.subscribe((arrived) => {
      const activity = arrived as unknown as Received;
      this.received.push(activity);
      this.waiters = this.waiters.filter((waiter) => {
        if (!waiter.test(activity)) return true;
        waiter.resolve(activity);
        return false;
      });
    });
  }

  /**
   * The first bot message, already received or still to come, whose text contains `words`; after `ms`, an error
   * that shows what did arrive (rather than a jest timeout long after).
   */
  botSays(words: string, ms = 15_000): Promise<Received> {
    const test = (activity: Received) =>
      activity.type === 'message' && activity.from.role === 'bot' && (activity.text ?? '').includes(words);
    const found = this.received.find(test);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = {
        test,
        resolve: (activity: Received) => {
          clearTimeout(timer);
          resolve(activity);
        },
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((other) => other !== waiter);
        const said = this.received
          .filter((activity) => activity.type === 'message')
          .map((activity) => `${activity.from.role}: ${activity.text}`);
        reject(new Error(`The bot did not say "${words}" within ${ms} ms. Messages so far:\n${said.join('\n')}`));
      }, ms);
      this.waiters.push(waiter);
    });
  }

  close(): void {
    this.subscription.unsubscribe();
  }
}

/** Posts through the client and resolves with the id the service gave the activity. */
export function post(client: DirectLine, activity: Partial<Activity> & { type: string }): Promise<string> {
  return new Promise((resolve, reject) => {
    client
      .postActivity({ from: { id: 'ignored-by-the-service' }, ...activity } as Activity)
      .subscribe({ next: resolve, error: reject });
  });
}

/** The first words of an English text, before any markdown or placeholder, to recognise it in a reply. */
export const opening = (key: string, params: Record<string, unknown> = {}) =>
  english(key, params)
    .split(/\*\*|\{\{|\[/)[0]!
    .trim();

/** With no time zone from the channel, a lock is told as "locked for N more minutes": its words before N. */
export const LOCKED_FOR = english('lockoutLocked.body', { count: 7, context: 'inMinutes' }).split('7')[0]!.trim();
/** …and its end, when it comes, without a clock time. */
export const LOCK_ENDED = english('lockoutLocked.reminder', { context: 'inMinutes' }).split('(')[0]!.trim();

/** Each message posted in turn, waiting each time for the bot's reply that contains the given words. */
export async function converse(
  client: DirectLine,
  inbox: Inbox,
  turns: ReadonlyArray<readonly [text: string, reply: string]>,
): Promise<Received> {
  let reply: Received | undefined;
  for (const [text, expected] of turns) {
    await post(client, { type: 'message', text, locale: 'en-GB' });
    reply = await inbox.botSays(expected);
  }
  return reply!;
}

/** The lock check up to the secret number's question: the menu's "locked out", "check", the ID number. */
export const UP_TO_THE_SECRET_NUMBER = (idNumber: string) =>
  [
    [english('menu.choice.lockout'), opening('lockout.prompt')],
    [english('lockout.choice.check'), opening('ask.idNumber')],
    [idNumber, opening('ask.secretNumber')],
  ] as const;
