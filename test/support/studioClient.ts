import { loadConfig } from '../../src/config';
import { isFormNode } from '../../src/content/dialogSchema';
import { flatten } from '../../src/content/localeFiles';
import { startBot, type RunningBot } from '../../src/index';
import { createLogger } from '../../src/logger';
import { createRedis, type RedisClient } from '../../src/state/redisConnection';
import { FileStudioStore, RedisStudioStore } from '../../src/studio/store';
import { saveUser, type Role } from '../../src/studio/studio';
import { activity } from './activities';
import { content } from './helpers';
import { RedisServer } from './redisServer';
import { tempFolder } from './tempFolders';

export const PASSWORDS: Record<Role, string> = { editor: 'editor-pass-4821', publisher: 'publisher-pass-9377' };
export const EMAILS: Record<Role, string> = { editor: 'editor@example.org', publisher: 'lead@example.org' };

/** A data folder with one editor and one publisher, as `npm run studio:user` makes them. */
export async function studioDataDir(): Promise<string> {
  const dir = tempFolder('studio-data-');
  const store = new FileStudioStore(dir);
  for (const role of ['editor', 'publisher'] as const)
    await saveUser(store, EMAILS[role], role, PASSWORDS[role], 'test');
  return dir;
}

/** A redis-server of its own with one editor and one publisher, and a client connected to it. */
export async function studioRedis(): Promise<{ server: RedisServer; redis: RedisClient }> {
  const server = await RedisServer.start();
  const redis = createRedis({ url: server.url });
  await redis.connect();
  for (const role of ['editor', 'publisher'] as const)
    await saveUser(new RedisStudioStore(redis), EMAILS[role], role, PASSWORDS[role], 'test');
  return { server, redis };
}

export function startStudioBot(env: Record<string, string>): Promise<RunningBot> {
  return startBot(loadConfig({ PORT: '0', HOST: '127.0.0.1', STUDIO: 'on', ...env }), createLogger('silent'));
}

/** An answer of the studio API, kept to check it against api/studio.v1.yaml. */
export interface Answer {
  method: string;
  route: string;
  status: number;
  body: unknown;
  headers: Headers;
}

/** The documented route a path belongs to. */
function routeOf(path: string): string {
  return path
    .replace(/\?.*$/, '')
    .replace(/^\/studio\/api\/texts\/[^/]+\/[^/]+/, '/studio/api/texts/{language}/{key}')
    .replace(/^\/studio\/api\/versions\/[^/]+\/(restore|diff)$/, '/studio/api/versions/{version}/$1')
    .replace(/^\/studio\/api\/inbox\/[^/]+\/(teach|dismiss)$/, '/studio/api/inbox/{id}/$1')
    .replace(/^\/studio\/api\/steps\/[^/]+/, '/studio/api/steps/{id}')
    .replace(/^\/studio\/api\/examples\/[^/]+\/[^/]+$/, '/studio/api/examples/{language}/{topic}');
}

/** The studio's JSON API as a script would use it: a cookie jar of one session and its CSRF token. */
export class StudioClient {
  /** Every answer any client got, for the contract test. */
  static readonly answers: Answer[] = [];

  cookie = '';
  csrfToken = '';
  setCookie = '';

  constructor(readonly url: string) {}

  private static async keep(method: string, path: string, response: Response): Promise<Response> {
    const text = await response.clone().text();
    StudioClient.answers.push({
      method,
      route: routeOf(path),
      status: response.status,
      body: text ? (JSON.parse(text) as unknown) : undefined,
      headers: response.headers,
    });
    return response;
  }

  async signIn(email: string, password: string): Promise<Response> {
    const response = await StudioClient.keep(
      'POST',
      '/studio/api/session',
      await fetch(`${this.url}/studio/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      }),
    );
    if (response.status === 200) {
      this.setCookie = response.headers.get('set-cookie') ?? '';
      this.cookie = this.setCookie.split(';')[0]!;
      this.csrfToken = ((await response.clone().json()) as { csrfToken: string }).csrfToken;
    }
    return response;
  }

  async as(role: Role): Promise<this> {
    const response = await this.signIn(EMAILS[role], PASSWORDS[role]);
    if (response.status !== 200) throw new Error(`cannot sign in as ${role}: ${response.status}`);
    return this;
  }

  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
    const response = await fetch(`${this.url}${path}`, {
      method,
      headers: {
        cookie: this.cookie,
        ...(this.csrfToken ? { 'x-csrf-token': this.csrfToken } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return StudioClient.keep(method, path, response);
  }

  async getText(language: string, key: string): Promise<{ text: string; etag: string }> {
    const response = await this.call('GET', `/studio/api/texts/${language}/${encodeURIComponent(key)}`);
    if (response.status !== 200) throw new Error(`GET ${language}/${key}: ${response.status}`);
    return (await response.json()) as { text: string; etag: string };
  }

  putText(language: string, key: string, text: string, etag: string): Promise<Response> {
    return this.call('PUT', `/studio/api/texts/${language}/${encodeURIComponent(key)}`, { text }, { 'if-match': etag });
  }
}

/** The first text the bot says when a conversation opens: the start step's first text. */
export function openingKey(): string {
  const { dialog } = content();
  const start = dialog.nodes[dialog.start]!;
  if (isFormNode(start)) throw new Error('the start step is a menu');
  return start.say[0]!;
}

/** A text with a placeholder in English, from the content: removing the placeholder must be refused. */
export function keyWithPlaceholder(): { key: string; text: string } {
  for (const [key, text] of flatten(content().resources.en.helpdesk))
    if (typeof text === 'string' && /\{\{\s*links\.\w+\s*\}\}/.test(text) && !/_(one|other)$/.test(key))
      return { key, text };
  throw new Error('no text with a link placeholder');
}

/** Everything a fresh German conversation is told when it opens, over /api/messages. */
export async function germanOpening(url: string, conversation: string): Promise<string> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      activity(conversation, { type: 'event', name: 'webchat/join', value: { language: 'de' }, locale: 'de-DE' }),
    ),
  });
  const body = (await response.json()) as { activities?: Array<{ type: string; text?: string }> };
  return (body.activities ?? [])
    .filter((each) => each.type === 'message')
    .map((each) => each.text ?? '')
    .join('\n');
}
