import type { Activity } from 'botbuilder';
import { activity } from './activities';

/** The bot's `helpdesk.state` trace: where the dialog is and what it waits for. */
export interface Trace {
  topic: string;
  state: string;
  locale: string;
  expecting: string | null;
}

export interface Turn {
  status: number;
  activities: Array<Partial<Activity>>;
  /** The bot's message, when it sent one. */
  message?: Partial<Activity>;
  text: string;
  trace?: Trace;
  /** What the candidate sees of the message: its text and buttons, for comparing two answers byte by byte. */
  seen: string;
}

/** Posts one activity with expectReplies and reads the replies from the response body. */
export async function postActivity(url: string, conversation: string, fields: Record<string, unknown>): Promise<Turn> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, fields)),
  });
  const body = (await response.json()) as { activities?: Array<Partial<Activity>> };
  const activities = body.activities ?? [];
  const message = activities.find((each) => each.type === 'message');
  const trace = activities.find((each) => each.type === 'trace' && each.name === 'helpdesk.state')?.value as
    Trace | undefined;
  return {
    status: response.status,
    activities,
    ...(message ? { message } : {}),
    text: message?.text ?? '',
    ...(trace ? { trace } : {}),
    seen: JSON.stringify({
      text: message?.text,
      suggestedActions: message?.suggestedActions,
      attachments: message?.attachments,
    }),
  };
}

let activityCounter = 0;

/**
 * A conversation over HTTP steered by the trace rather than by wording: `choose` sends a button's value
 * (the choice and the state it was offered in) as a card does, and checks that the dialog went there.
 */
export class HttpConversation {
  last: Turn | undefined;

  constructor(
    private readonly url: string,
    readonly id: string,
    /** Fields every activity of this conversation carries (user, channel, locale). */
    private readonly fields: Record<string, unknown> = {},
  ) {}

  async send(fields: Record<string, unknown>): Promise<Turn> {
    this.last = await postActivity(this.url, this.id, {
      id: `activity-${process.pid}-${++activityCounter}`,
      ...this.fields,
      ...fields,
    });
    if (this.last.status !== 200) throw new Error(`the bot answered ${this.last.status} in ${this.id}`);
    return this.last;
  }

  say(text: string): Promise<Turn> {
    return this.send({ text });
  }

  /** Clicks the button that leads to `target` (a node, or a choice id such as "send") and checks where it led. */
  async choose(target: string, arrivesAt: string = target): Promise<Turn> {
    const from = this.last?.trace?.state;
    if (!from) throw new Error(`${this.id}: no state to choose "${target}" in`);
    const reply = await this.send({ value: { choice: target, state: from } });
    const state = reply.trace?.state ?? '(no trace)';
    if (state !== arrivesAt && !state.startsWith(`${arrivesAt}.`)) {
      throw new Error(`${this.id}: choosing "${target}" in "${from}" led to "${state}", not "${arrivesAt}"`);
    }
    return reply;
  }

  /** Answers the question the dialog is asking, after checking that it is the expected one. */
  async answer(expecting: string, text: string): Promise<Turn> {
    const asked = this.last?.trace?.expecting;
    if (asked !== expecting)
      throw new Error(`${this.id}: expected the question "${expecting}", but the dialog expects "${asked}"`);
    return this.say(text);
  }
}
