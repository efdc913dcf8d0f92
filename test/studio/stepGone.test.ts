import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isFormNode, type DialogFile } from '../../src/content/dialogSchema';
import { checkContent } from '../../src/content/loadContent';
import { NOTICES } from '../../src/dialog/systemKeys';
import type { RunningBot } from '../../src/index';
import type { RedisClient } from '../../src/state/redisConnection';
import { contentCopy, english } from '../support/helpers';
import { HttpConversation } from '../support/httpConversation';
import { RedisServer } from '../support/redisServer';
import { startStudioBot, StudioClient, studioRedis } from '../support/studioClient';

jest.setTimeout(90_000);

/** The step a deploy adds and a later version does not have: reached from `missingId`, worded with its texts. */
const ADDED = 'missingIdMore';

describe('a conversation whose step a publish removed', () => {
  let redisServer: RedisServer;
  let redis: RedisClient;
  let bot: RunningBot | undefined;

  beforeAll(async () => {
    ({ server: redisServer, redis } = await studioRedis());
  });
  afterAll(async () => {
    await bot?.close();
    redis?.disconnect();
    await redisServer?.stop();
  });

  it('goes back to the menu with a short notice, the answers of a form on hold kept', async () => {
    const copy = contentCopy();
    const env = { REDIS_URL: redisServer.url, CONTENT_DIR: copy.root };
    // Version 1: the files as they are.
    bot = await startStudioBot(env);
    await bot.close();
    // A deploy adds a step (version 2, "from files"), with texts the content already has.
    const dialog = parse(readFileSync(path.join(copy.root, 'dialogs', 'helpdesk.yaml'), 'utf8')) as DialogFile;
    const missingId = dialog.nodes.missingId!;
    const borrowed = dialog.nodes.lostEmail!;
    if (isFormNode(missingId) || isFormNode(borrowed)) throw new Error('missingId and lostEmail are message steps');
    const original = readFileSync(path.join(copy.root, 'dialogs', 'helpdesk.yaml'), 'utf8');
    const withStep = (label: string) =>
      original
        .replace(
          /(\n {2}missingId:\n(?: {4}.*\n)*? {4}choices:\n)/,
          `$1      - label: ${label}\n        goto: ${ADDED}\n`,
        )
        .replace(
          /\n {2}lockout:\n/,
          `\n  ${ADDED}:\n    topic: ${missingId.topic}\n    say: [${borrowed.say.join(', ')}]\n` +
            `    choices:\n      - label: ${missingId.choices[0]!.label}\n` +
            `        goto: ${missingId.choices[0]!.goto}\n` +
            `\n  lockout:\n`,
        );
    // The new button's label: the first of the content's that the checks accept beside missingId's own.
    const labels = Object.values(dialog.nodes).flatMap((node) =>
      isFormNode(node) ? [] : (node.choices ?? []).map((choice) => choice.label),
    );
    const label = [...new Set(labels)].find((each) => {
      copy.edit('dialogs/helpdesk.yaml', () => withStep(each));
      return checkContent(copy.root).content !== undefined;
    });
    expect(label).toBeDefined();
    bot = await startStudioBot(env);
    const lead = await new StudioClient(bot.url).as('publisher');
    const versions = (await (await lead.call('GET', '/studio/api/versions')).json()) as Array<{ version: number }>;
    expect(versions.map((each) => each.version)).toEqual([2, 1]);

    // A candidate starts the helpdesk request, leaves it on hold for the menu, and goes into the new step.
    const chat = new HttpConversation(bot.url, 'step-gone', { locale: 'en-GB' });
    await chat.send({ type: 'event', name: 'webchat/join', value: { language: 'en' } });
    await chat.choose('centreClosed');
    await chat.choose('helpdeskRequest');
    expect((await chat.answer('fullName', 'Ana García')).trace?.state).toBe('helpdeskRequest.exam');
    expect((await chat.answer('exam', 'B2 First')).trace?.state).toBe('helpdeskRequest.examDate');
    expect((await chat.say('menu')).trace?.state).toBe('menu');
    await chat.choose('credentials');
    await chat.choose('missingId');
    await chat.choose(ADDED);

    // The lead publishes version 1 again: the step is gone.
    const restored = await lead.call('POST', '/studio/api/versions/1/restore');
    expect(restored.status).toBe(201);

    // The next message: the menu, with the notice first; no welcome, no "not understood".
    const next = await chat.say('ok');
    expect(next.trace?.state).toBe(dialog.start);
    const texts = next.activities.map((each) => each.text ?? '').join('\n');
    expect(texts).toContain(english(NOTICES.stepGone));
    expect(texts.indexOf(english(NOTICES.stepGone))).toBeLessThan(texts.indexOf(english('menu.intro')));
    expect(texts).not.toContain(english(NOTICES.notUnderstood));
    // The form on hold goes on where it was left: its answers are still there.
    await chat.choose('centreClosed');
    const resumed = await chat.choose('helpdeskRequest', 'helpdeskRequest.examDate');
    expect(resumed.trace?.state).toBe('helpdeskRequest.examDate');
  });
});
