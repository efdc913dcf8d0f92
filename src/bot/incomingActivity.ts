import { z } from 'zod';
import { MAX_ACTIVITY_ID, MAX_ACTIVITY_TEXT } from '../dialog/limits';

/** Why an activity posted to /api/messages is refused before any turn runs: an HTTP status and its JSON body. */
export interface Refusal {
  status: number;
  body: { error: string; message: string };
}

const id = z.string().min(1).max(MAX_ACTIVITY_ID);
const account = z.object({ id });
const short = z.string().max(100);
/** Metadata the channel attaches; a mention must say whom it mentions (botbuilder reads both without checking). */
const entity = z
  .looseObject({ type: z.string().min(1).max(100), mentioned: account.optional() })
  .refine((each) => each.type.toLowerCase() !== 'mention' || each.mentioned !== undefined, {
    path: ['mentioned'],
    message: 'is missing in a mention',
  });

/**
 * What the bot reads of an activity, with the limits that keep one message cheap: the text length is checked
 * before anything reads the text. Other fields pass through unchecked.
 */
const activityShape = z.object({
  type: z.string().min(1).max(100),
  id: id.optional(),
  channelId: id,
  serviceUrl: z.url().max(MAX_ACTIVITY_ID),
  conversation: account,
  from: account,
  recipient: account,
  replyToId: id.optional(),
  text: z.string().max(MAX_ACTIVITY_TEXT).optional(),
  entities: z.array(entity).optional(),
  attachments: z.array(z.unknown()).optional(),
  membersAdded: z.array(account).optional(),
  membersRemoved: z.array(account).optional(),
  name: id.optional(),
  locale: short.optional(),
  localTimezone: short.optional(),
  deliveryMode: short.optional(),
});

/** Activity types the bot has no answer for; botbuilder would give them an empty 501. */
const UNSUPPORTED_TYPES = new Set(['invoke']);

/** The refusal for a body that is not an activity the bot can take, or undefined when it can. */
export function refuseActivity(body: unknown): Refusal | undefined {
  const shape = activityShape.safeParse(body);
  if (!shape.success) {
    const issue = shape.error.issues[0]!;
    const field = issue.path.join('.') || 'body';
    return invalid(`The body must be a Bot Framework activity: "${field}" ${reason(issue, body)}.`);
  }
  if (UNSUPPORTED_TYPES.has(shape.data.type)) {
    return {
      status: 400,
      body: {
        error: 'unsupported_activity',
        message: `"type": this bot does not answer ${shape.data.type} activities; send messages and events.`,
      },
    };
  }
  return undefined;
}

function invalid(message: string): Refusal {
  return { status: 400, body: { error: 'invalid_activity', message } };
}

function reason(issue: z.core.$ZodIssue, body: unknown): string {
  if (issue.code === 'custom') return issue.message;
  if (issue.code === 'too_big') return `is longer than ${String(issue.maximum)} characters`;
  if (issue.code === 'too_small') return 'is empty';
  if (issue.code === 'invalid_type') {
    if (valueAt(body, issue.path) === undefined) return 'is missing';
    return issue.expected === 'array' || issue.expected === 'object'
      ? `must be an ${issue.expected}`
      : `must be a ${issue.expected}`;
  }
  return 'is invalid';
}

function valueAt(body: unknown, path: readonly PropertyKey[]): unknown {
  let value = body;
  for (const key of path) {
    if (value === null || typeof value !== 'object' || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

/**
 * Without Bot Framework credentials nothing vouches for an activity's serviceUrl, and the bot would post its
 * replies wherever one points: only loopback, the bot's own Direct Line and the operator's list are taken.
 * A list entry is a host name (any port) or a URL prefix.
 */
export function refuseServiceUrl(serviceUrl: string, allowList: readonly string[], own?: string): Refusal | undefined {
  if (serviceUrlAllowed(serviceUrl, allowList, own)) return undefined;
  return {
    status: 403,
    body: {
      error: 'service_url_not_allowed',
      message:
        '"serviceUrl": without Bot Framework credentials the bot replies only to loopback addresses, ' +
        'its own Direct Line and the hosts in SERVICE_URL_ALLOWLIST.',
    },
  };
}

function serviceUrlAllowed(serviceUrl: string, allowList: readonly string[], own?: string): boolean {
  let url: URL;
  try {
    url = new URL(serviceUrl);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  if (isLoopback(url.hostname)) return true;
  if (own && url.href.startsWith(own)) return true;
  return allowList.some((entry) =>
    entry.includes('://') ? url.href.startsWith(new URL(entry).href) : url.hostname === entry.toLowerCase(),
  );
}

function isLoopback(hostname: string): boolean {
  return (
    hostname === 'localhost' ||
    hostname.endsWith('.localhost') ||
    hostname === '[::1]' ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}
