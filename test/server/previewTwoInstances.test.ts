import { randomInt } from 'node:crypto';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import WebSocket from 'ws';
import { isFormNode, type MessageNode } from '../../src/content/dialogSchema';
import type { RunningBot } from '../../src/index';
import type { RedisClient } from '../../src/state/redisConnection';
import { content, english, ROOT } from '../support/helpers';
import { PreviewConversation, traceOf, type PreviewActivity, type PreviewGrant } from '../support/previewConversation';
import { everything, type RedisServer } from '../support/redisServer';
import { startStudioBot, StudioClient, studioRedis } from '../support/studioClient';
import { serverSays } from '../support/studioWords';

jest.setTimeout(120_000);

/** A step of the content that shows a message and buttons (not a form). */
function messageStep(id: string): MessageNode {
  const node = content().dialog.nodes[id];
  if (!node || isFormNode(node)) throw new Error(`"${id}" is not a step with buttons`);
  return node;
}

/**
 * The buttons' texts from the menu to a form that asks, at some point, a question whose answer the content masks
 * in full (a secret), and the form's questions up to and including that one.
 */
function routeToSecretQuestion(): { labels: string[]; questions: Array<{ slot: string; secret: boolean }> } {
  const { dialog, validators } = content();
  const queue: Array<{ id: string; labels: string[] }> = [{ id: dialog.start, labels: [] }];
  const seen = new Set([dialog.start]);
  while (queue.length > 0) {
    const { id, labels } = queue.shift()!;
    const node = dialog.nodes[id]!;
    if (isFormNode(node)) {
      const at = node.ask.findIndex((question) => validators[question.validator]?.mask === 'full');
      if (at >= 0)
        return {
          labels,
          questions: node.ask
            .slice(0, at + 1)
            .map((question, index) => ({ slot: question.slot, secret: index === at })),
        };
      continue;
    }
    for (const choice of node.choices)
      if (!seen.has(choice.goto)) {
        seen.add(choice.goto);
        queue.push({ id: choice.goto, labels: [...labels, english(choice.label)] });
      }
  }
  throw new Error('no form reached by buttons asks a secret question');
}

/** A pane's WebSocket stream of the preview on one instance: every activity it is sent, as it comes. */
function stream(instance: string, grant: PreviewGrant, cookie: string) {
  const heard: PreviewActivity[] = [];
  const waiting: Array<{ done: () => boolean; resolve: () => void }> = [];
  const url = `${instance.replace(/^http/, 'ws')}${grant.domain}/conversations/${grant.conversationId}/stream`;
  const socket = new WebSocket(`${url}?t=${encodeURIComponent(grant.token)}`, { headers: { cookie } });
  socket.on('message', (data: Buffer) => {
    const text = data.toString();
    if (!text) return;
    heard.push(...(JSON.parse(text) as { activities: PreviewActivity[] }).activities);
    for (const each of [...waiting]) if (each.done()) each.resolve();
  });
  const opened = new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    opened,
    /** The steps of the traces heard so far, once one of them is `state`. */
    async traceReaching(state: string): Promise<string[]> {
      const states = () =>
        heard
          .filter((each) => each.type === 'trace' && each.name === 'helpdesk.state')
          .map((each) => each.value!.state);
      if (!states().includes(state))
        await new Promise<void>((resolve) => waiting.push({ done: () => states().includes(state), resolve }));
      return states();
    },
    close: () => socket.close(),
  };
}

/** Two bot instances on one Redis, as a balancer without sticky routing spreads a lead's requests over them. */
describe('the studio preview on two instances sharing Redis', () => {
  let redis: { server: RedisServer; redis: RedisClient };
  let first: RunningBot | undefined;
  let second: RunningBot;
  beforeAll(async () => {
    redis = await studioRedis();
    first = await startStudioBot({ REDIS_URL: redis.server.url });
    second = await startStudioBot({ REDIS_URL: redis.server.url });
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    redis?.redis.disconnect();
    await redis?.server.stop();
  });

  it('is opened on one, driven through the other, heard on the first, and goes on as the first restarts', async () => {
    const { dialog } = content();
    const lead = await new StudioClient(first!.url).as('editor');
    const opened = await lead.call('POST', '/studio/api/preview/conversations', { language: 'en' });
    expect(opened.status).toBe(201);
    const grant = (await opened.json()) as PreviewGrant;
    const chat = new PreviewConversation(grant, lead.cookie);

    // The token the first instance gave out opens the conversation on the second.
    expect(await chat.start(second.url)).toBe(201);
    const pane = stream(first!.url, grant, lead.cookie);
    await pane.opened;

    // Each turn goes through the second instance and is read through the first.
    const welcome = await chat.send(
      { type: 'event', name: 'webchat/join', value: { language: 'en' } },
      second.url,
      first!.url,
    );
    expect(welcome.map((each) => each.type)).toEqual(['message', 'trace']);
    expect(traceOf(welcome).state).toBe(dialog.start);

    const menuButton = messageStep(dialog.start).choices[0]!;
    const step = await chat.send({ type: 'message', text: english(menuButton.label) }, second.url, first!.url);
    expect(traceOf(step).state).toBe(menuButton.goto);
    // The same dialog goes on: a button that only the step just reached offers.
    const stepButton = messageStep(menuButton.goto).choices[0]!;
    const further = await chat.send({ type: 'message', text: english(stepButton.label) }, second.url, first!.url);
    expect(traceOf(further).state).toBe(stepButton.goto);
    // The pane streaming from the first instance heard every turn, in order.
    expect(await pane.traceReaching(stepButton.goto)).toEqual([dialog.start, menuButton.goto, stepButton.goto]);
    pane.close();

    // The first instance goes away: the conversation, its token and its dialog carry on through the second.
    await first!.close();
    first = undefined;
    const back = await chat.send({ type: 'message', text: english(menuButton.label) }, second.url);
    expect(traceOf(back).state).toBe(menuButton.goto);
    first = await startStudioBot({ REDIS_URL: redis.server.url });
    const afterRestart = await chat.send({ type: 'message', text: english(stepButton.label) }, first.url, second.url);
    expect(traceOf(afterRestart).state).toBe(stepButton.goto);
  });

  /** A lead opens a preview on the first instance and starts its conversation through the second. */
  async function openedPreview(language: string) {
    const lead = await new StudioClient(first!.url).as('editor');
    const opened = await lead.call('POST', '/studio/api/preview/conversations', { language });
    const grant = (await opened.json()) as PreviewGrant;
    const chat = new PreviewConversation(grant, lead.cookie);
    expect(await chat.start(second.url)).toBe(201);
    return { lead, grant, chat };
  }

  it('is driven only by the studio session that opened it, on every instance', async () => {
    const { lead, grant, chat: own } = await openedPreview('de');

    // Another lead signed in with the token: refused, on the instance that opened it and on the other.
    const other = await new StudioClient(second.url).as('publisher');
    const theirs = new PreviewConversation(grant, other.cookie);
    for (const instance of [first!.url, second.url]) {
      const posted = await theirs.post(instance, { type: 'message', text: 'hallo' }, { 'accept-language': 'de' });
      expect(posted.status).toBe(403);
      // Why, in the lead's language.
      expect(((await posted.json()) as { error: { code: string; message: string } }).error).toEqual({
        code: 'Forbidden',
        message: serverSays('de')('error.previewNotYours'),
      });
      expect((await theirs.call(instance, 'GET', `/conversations/${grant.conversationId}/activities`)).status).toBe(
        403,
      );
    }
    // Nor does its stream open for them.
    const url = `${second.url.replace(/^http/, 'ws')}${grant.domain}/conversations/${grant.conversationId}/stream`;
    const refused = new WebSocket(`${url}?t=${encodeURIComponent(grant.token)}`, {
      headers: { cookie: other.cookie, 'accept-language': 'fr-FR,fr;q=0.9' },
    });
    const [code, reason] = (await once(refused, 'close')) as [number, Buffer];
    expect(code).toBe(4403);
    // Why, in the lead's language, as much of it as a close frame holds.
    expect(reason.toString()).not.toBe('');
    expect(serverSays('fr')('error.previewNotYours').startsWith(reason.toString())).toBe(true);
    // The chat page's own Direct Line, whose key the preview's is made from, does not take the preview's token.
    const page = await fetch(`${second.url}/v3/directline/conversations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${grant.token}`, cookie: lead.cookie },
    });
    expect(page.status).toBe(403);
    // Nor without any session: the token alone drives nothing.
    const noSession = new PreviewConversation(grant, '');
    expect((await noSession.post(second.url, { type: 'message', text: 'hallo' })).status).toBe(403);
    // Nothing the refused posts said reached the conversation; its own lead drives it as before.
    const welcome = await own.send({ type: 'event', name: 'webchat/join', value: { language: 'de' } }, first!.url);
    expect(welcome.map((each) => each.type)).toEqual(['message', 'trace']);
    expect(traceOf(welcome).state).toBe(content().dialog.start);
    expect((await own.read(second.url)).length).toBe(0);
    const posted = await own.transcript(second.url);
    expect(posted.filter((each) => each.type === 'event')).toHaveLength(1);
    expect(posted.filter((each) => each.text === 'hallo')).toEqual([]);

    // Once its lead signs out, nobody drives it.
    expect((await lead.call('DELETE', '/studio/api/session')).status).toBeLessThan(300);
    expect((await own.post(second.url, { type: 'message', text: 'hallo' })).status).toBe(403);
  });

  it('keeps a secret answer typed in the preview out of Redis in clear, as the chat page does', async () => {
    const { chat } = await openedPreview('en');
    await chat.send({ type: 'event', name: 'webchat/join', value: { language: 'en' } }, first!.url);

    // A demo account answers the questions before the secret one; the secret is a number found nowhere else.
    const [account] = JSON.parse(readFileSync(path.join(ROOT, 'demo', 'accounts.json'), 'utf8')) as Array<
      Record<string, string>
    >;
    const secret = String(randomInt(1000, 9999));
    expect(JSON.stringify(account)).not.toContain(secret);
    const { labels, questions } = routeToSecretQuestion();
    for (const label of labels) await chat.send({ type: 'message', text: label }, second.url);
    let last: PreviewActivity[] = [];
    for (const { slot, secret: isSecret } of questions)
      last = await chat.send({ type: 'message', text: isSecret ? secret : account![slot] }, first!.url);
    // The answer was taken (the dialog moved on from the question), and no copy of it is kept whole.
    expect(traceOf(last).state).not.toMatch(new RegExp(`\\.${questions.at(-1)!.slot}$`));
    const whole = new RegExp(`\\b${secret}\\b`);
    const places = [...(await everything(redis.redis))].filter(([, text]) => whole.test(text)).map(([key]) => key);
    expect(places).toEqual([]);
  });
});
