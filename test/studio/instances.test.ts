import type { RunningBot } from '../../src/index';
import { RedisServer } from '../support/redisServer';
import { runTool } from '../support/runTool';
import { tempFolder } from '../support/tempFolders';
import { readSnapshot } from '../../src/studio/snapshot';
import { readText } from '../../src/studio/texts';
import { germanOpening, openingKey, startStudioBot, StudioClient } from '../support/studioClient';

// Publishing runs every conversation script in five languages: it takes long on a busy machine.
jest.setTimeout(120_000);

/** `npm run studio:user`, as an operator runs it, with the password on standard input. */
const studioUser = (args: string[], password: string, env: Record<string, string>) =>
  runTool('studioUser.ts', args, env, `${password}\n`);

jest.setTimeout(120_000); // Publishing runs every check, the conversation tests in five languages among them.

describe('two bot instances sharing Redis', () => {
  let redis: RedisServer;
  let first: RunningBot;
  let second: RunningBot;
  beforeAll(async () => {
    redis = await RedisServer.start();
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await redis?.stop();
  });

  it('share accounts from npm run studio:user; a publish on one is live on the other within 5 s', async () => {
    const env = { REDIS_URL: redis.url, STUDIO: 'on' };
    const password = 'shared-publisher-7731';
    const refused = await studioUser(['add', 'lead@example.org', '--role', 'boss', '--password-stdin'], password, env);
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/--role must be editor or publisher/);
    const added = await studioUser(
      ['add', 'Lead@Example.org', '--role', 'publisher', '--password-stdin'],
      password,
      env,
    );
    expect(added).toEqual({ code: 0, output: 'lead@example.org can sign in to the studio as publisher.\n' });
    expect(added.output).not.toContain(password);

    first = await startStudioBot({ REDIS_URL: redis.url });
    second = await startStudioBot({ REDIS_URL: redis.url });
    const onFirst = new StudioClient(first.url);
    expect((await onFirst.signIn('lead@example.org', password)).status).toBe(200);
    // One session works on every instance.
    const onSecond = new StudioClient(second.url);
    onSecond.cookie = onFirst.cookie;
    onSecond.csrfToken = onFirst.csrfToken;

    const key = openingKey();
    const { text, etag } = await onSecond.getText('de', key);
    const changed = `${text} (beide Instanzen ${Date.now()})`;
    expect((await onSecond.putText('de', key, changed, etag)).status).toBe(200);
    expect((await onFirst.getText('de', key)).text).toBe(changed);
    const published = await onFirst.call('POST', '/studio/api/publish', { message: 'Greeting on every instance' });
    expect(published.status).toBe(201);
    const publishedAt = Date.now();

    let seen = false;
    let asks = 0;
    while (!seen && Date.now() - publishedAt < 5000) {
      seen = (await germanOpening(second.url, `other-instance-${asks++}`)).includes(changed);
      if (!seen) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(seen).toBe(true);
    expect(await germanOpening(first.url, 'same-instance')).toContain(changed);
  });

  it('keep everything in Redis across a restart of both', async () => {
    const client = new StudioClient(first.url);
    expect((await client.signIn('lead@example.org', 'shared-publisher-7731')).status).toBe(200);
    const versions = await (await client.call('GET', '/studio/api/versions')).json();
    await first.close();
    await second.close();
    first = await startStudioBot({ REDIS_URL: redis.url });
    second = await startStudioBot({ REDIS_URL: redis.url });
    const again = new StudioClient(second.url);
    again.cookie = client.cookie;
    expect(await (await again.call('GET', '/studio/api/versions')).json()).toEqual(versions);
    const live = (await again.getText('de', openingKey())).text;
    expect(await germanOpening(second.url, 'after-restart')).toContain(live);

    // npm run content:export reads the published version from the same Redis.
    const out = tempFolder('studio-export-');
    const exported = await runTool('contentExport.ts', ['--out', out], { REDIS_URL: redis.url, STUDIO: 'on' });
    expect(exported.code).toBe(0);
    expect(readText(readSnapshot(out), { language: 'de', key: openingKey() })).toBe(live);
  });
});
