import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import type { RunningBot } from '../../src/index';
import { FileStudioStore } from '../../src/studio/store';
import type { VersionDiff } from '../../src/studio/versionDiff';
import { Contract } from '../support/contract';
import { content, ROOT } from '../support/helpers';
import { swapFirstTopicsExamples, swapMenuChoices } from '../support/refusedDrafts';
import { serverSays } from '../support/studioWords';
import { languageModelOf } from '../../src/nlu/fromContent';
import {
  EMAILS,
  germanOpening,
  keyWithPlaceholder,
  openingKey,
  PASSWORDS,
  startStudioBot,
  StudioClient,
  studioDataDir,
} from '../support/studioClient';

jest.setTimeout(120_000); // Publishing runs every check, the conversation tests in five languages among them.

describe('the studio API over HTTP (file storage)', () => {
  let dataDir: string;
  let bot: RunningBot;
  beforeAll(async () => {
    dataDir = await studioDataDir();
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir });
  });
  afterAll(async () => bot?.close());

  it("serves the page's words without a session: the chosen language, else the browser's, else English", async () => {
    const page = (language: string) => content().resources[language as 'de'].web as { studio: { page: object } };
    const flat = (tree: object, prefix = ''): Array<[string, string]> =>
      Object.entries(tree).flatMap(([key, value]) =>
        typeof value === 'object' ? flat(value as object, `${prefix}${key}.`) : [[`${prefix}${key}`, value as string]],
      );
    const anonymous = new StudioClient(bot.url);
    const words = async (query: string, headers: Record<string, string> = {}) => {
      const response = await anonymous.call('GET', `/studio/api/page-texts${query}`, undefined, headers);
      expect(response.status).toBe(200);
      return (await response.json()) as { language: string; texts: Record<string, string> };
    };
    const german = await words('?lang=de', { 'accept-language': 'fr' });
    expect(german.language).toBe('de');
    expect(Object.entries(german.texts).sort()).toEqual(flat(page('de').studio.page).sort());
    expect((await words('', { 'accept-language': 'it-IT,it;q=0.9' })).language).toBe('it');
    expect((await words('?lang=xx', { 'accept-language': 'ja' })).language).toBe('en');
  });

  it('signs in with the right password only; the session cookie is HttpOnly and SameSite=Strict', async () => {
    const wrong = new StudioClient(bot.url);
    const refused = await wrong.signIn(EMAILS.editor, 'not-the-password');
    expect(refused.status).toBe(401);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect((await wrong.signIn('nobody@example.org', PASSWORDS.editor)).status).toBe(401);

    const client = new StudioClient(bot.url);
    const response = await client.signIn(EMAILS.editor, PASSWORDS.editor);
    expect(response.status).toBe(200);
    expect(client.csrfToken).toMatch(/^[\w-]{20,}$/);
    expect(client.setCookie).toMatch(/HttpOnly/);
    expect(client.setCookie).toMatch(/SameSite=Strict/);
    expect(client.setCookie).not.toMatch(/Secure/);
    // Behind a TLS proxy the cookie is for HTTPS only.
    const behindTls = await fetch(`${bot.url}/studio/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
      body: JSON.stringify({ email: EMAILS.editor, password: PASSWORDS.editor }),
    });
    expect(behindTls.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('answers 401 without a session and 403 when a change comes without the CSRF token', async () => {
    const key = openingKey();
    expect((await fetch(`${bot.url}/studio/api/texts/de/${key}`)).status).toBe(401);
    const client = await new StudioClient(bot.url).as('editor');
    const { etag } = await client.getText('de', key);
    const token = client.csrfToken;
    client.csrfToken = '';
    const response = await client.putText('de', key, 'Guten Tag.', etag);
    expect(response.status).toBe(403);
    expect(((await response.json()) as { error: string }).error).toBe('csrf');
    client.csrfToken = 'forged';
    expect((await client.putText('de', key, 'Guten Tag.', etag)).status).toBe(403);
    client.csrfToken = token;
    expect((await client.getText('de', key)).etag).toBe(etag);
  });

  it('reads a text and its etag, saves it with If-Match, answers 409 with both texts on a stale etag', async () => {
    const key = openingKey();
    const first = await new StudioClient(bot.url).as('editor');
    const second = await new StudioClient(bot.url).as('publisher');
    const read = await first.getText('fr', key);
    const readBySecond = await second.getText('fr', key);
    expect(readBySecond).toEqual(read);

    const mine = `${read.text} (première version)`;
    const saved = await first.putText('fr', key, mine, read.etag);
    expect(saved.status).toBe(200);
    const { etag } = (await saved.json()) as { etag: string };
    expect(etag).not.toBe(read.etag);
    expect(await first.getText('fr', key)).toEqual({ text: mine, etag });

    const theirs = `${read.text} (seconde version)`;
    const conflict = await second.putText('fr', key, theirs, readBySecond.etag);
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ current: { text: mine, etag }, yours: { text: theirs } });
    expect((await first.getText('fr', key)).text).toBe(mine);
    // Back as it was, so the other tests see the files' text.
    expect((await first.putText('fr', key, read.text, etag)).status).toBe(200);
  });

  it('refuses a text that breaks a rule with 422, naming the field and saying why in plain words', async () => {
    const { key } = keyWithPlaceholder();
    const client = await new StudioClient(bot.url).as('editor');
    const { text, etag } = await client.getText('de', key);
    const withoutLink = text.replace(/\[?\{\{\s*links\.\w+\s*\}\}\]?(\(\{\{\s*links\.\w+\s*\}\}\))?/g, 'dort');
    const response = await client.putText('de', key, withoutLink, etag);
    expect(response.status).toBe(422);
    const { problems } = (await response.json()) as { problems: Array<{ field: string; message: string }> };
    expect(problems).toContainEqual({ field: `de/${key}`, message: expect.stringMatching(/placeholders/) });
    for (const problem of problems) expect(problem.message).not.toMatch(/line \d|:\d+:\d+/);
    expect((await client.getText('de', key)).text).toBe(text);
    expect(
      (await client.call('PUT', `/studio/api/texts/de/no.such.key`, { text: 'x' }, { 'if-match': etag })).status,
    ).toBe(404);
    expect((await client.call('GET', `/studio/api/texts/xx/${key}`)).status).toBe(404);
  });

  it('lets only publishers publish, needs a message, puts the text live for a fresh German conversation', async () => {
    const key = openingKey();
    const editor = await new StudioClient(bot.url).as('editor');
    const publisher = await new StudioClient(bot.url).as('publisher');
    const { text, etag } = await editor.getText('de', key);
    const changed = `${text} (Studio ${Date.now()})`;
    expect((await editor.putText('de', key, changed, etag)).status).toBe(200);
    expect(await germanOpening(bot.url, 'before-publish')).not.toContain(changed);

    expect((await editor.call('POST', '/studio/api/publish', { message: 'German greeting' })).status).toBe(403);
    const noMessage = await publisher.call('POST', '/studio/api/publish', { message: ' ' });
    expect(noMessage.status).toBe(422);
    expect(await noMessage.json()).toMatchObject({ problems: [{ field: 'message' }] });

    const published = await publisher.call('POST', '/studio/api/publish', { message: 'German greeting' });
    expect(published.status).toBe(201);
    const { version } = (await published.json()) as { version: number };
    expect(await germanOpening(bot.url, 'after-publish')).toContain(changed);

    const versions = (await (await editor.call('GET', '/studio/api/versions')).json()) as Array<{
      version: number;
      author: string;
      message: string;
      time: string;
    }>;
    expect(versions[0]).toMatchObject({ version, author: EMAILS.publisher, message: 'German greeting' });
    expect(versions.map((each) => each.version)).toEqual(
      [...versions.map((each) => each.version)].sort((a, b) => b - a),
    );
    expect(versions.at(-1)).toMatchObject({ version: 1, author: 'files' });

    // Restoring the first version is a new version, with the files' text live again.
    expect((await editor.call('POST', '/studio/api/versions/1/restore')).status).toBe(403);
    const restored = await publisher.call('POST', '/studio/api/versions/1/restore');
    expect(restored.status).toBe(201);
    expect(await restored.json()).toEqual({ version: version + 1 });
    expect(await germanOpening(bot.url, 'after-restore')).not.toContain(changed);
    expect((await editor.getText('de', key)).text).toBe(text);
    expect((await publisher.call('POST', '/studio/api/versions/999/restore')).status).toBe(404);

    // The versions the studio makes itself are named in the page's language; a lead's own message stays as written.
    for (const language of ['de', 'it'] as const) {
      const say = serverSays(language);
      const named = (await (
        await editor.call('GET', '/studio/api/versions', undefined, { 'accept-language': language })
      ).json()) as typeof versions;
      expect(named[0]!.message).toBe(say('version.restored', { version: 1 }));
      expect(named[1]!.message).toBe('German greeting');
      expect(named.at(-1)!.message).toBe(say('version.firstFiles'));
      const ofRestore = (await (
        await editor.call('GET', `/studio/api/versions/${version + 1}/diff`, undefined, { 'accept-language': language })
      ).json()) as VersionDiff;
      expect(ofRestore.version.message).toBe(say('version.restored', { version: 1 }));
    }

    // The history shows what each version changed, by text and language: the German text, and nothing else.
    const diff = async (path: string) => {
      const response = await editor.call('GET', path);
      return { status: response.status, body: (await response.json()) as VersionDiff };
    };
    const ofPublish = await diff(`/studio/api/versions/${version}/diff`);
    expect(ofPublish.status).toBe(200);
    expect(ofPublish.body).toMatchObject({
      version: { version, author: EMAILS.publisher, message: 'German greeting' },
      against: version - 1,
      texts: [{ key, changes: [{ language: 'de', before: text, after: changed }] }],
      structure: [],
    });
    // The restore undoes it, old → new the other way round.
    const undone = await diff(`/studio/api/versions/${version + 1}/diff`);
    expect(undone.body.texts).toEqual([{ key, changes: [{ language: 'de', before: changed, after: text }] }]);
    const across = await diff(`/studio/api/versions/${version + 1}/diff?against=1`);
    expect(across.body).toMatchObject({ against: 1, texts: [], structure: [] });
    expect((await diff('/studio/api/versions/1/diff')).body).toMatchObject({ against: null, texts: [] });
    expect((await diff('/studio/api/versions/999/diff')).status).toBe(404);
    expect((await diff(`/studio/api/versions/${version}/diff?against=999`)).status).toBe(404);
    expect((await diff(`/studio/api/versions/${version}/diff?against=first`)).status).toBe(400);

    // The audit log has every change, with who made it, and never a password.
    const audit = (await new FileStudioStore(dataDir).lines('audit')).join('\n');
    expect(audit).toContain(`"actor":"${EMAILS.editor}","action":"edit text"`);
    expect(audit).toContain(`"actor":"${EMAILS.publisher}","action":"publish"`);
    expect(audit).toContain(`"actor":"${EMAILS.publisher}","action":"restore"`);
    for (const password of Object.values(PASSWORDS)) expect(audit).not.toContain(password);
  });

  it('refuses a draft that fails the conversation tests or the understanding check, saying which', async () => {
    const store = new FileStudioStore(dataDir);
    const draft = JSON.parse((await store.get('draft'))!) as { base: number; files: Record<string, string> };
    const publisher = await new StudioClient(bot.url).as('publisher');

    // The menu's first two choices lead to each other's step: valid content, but the scripts click and check.
    const dialog = swapMenuChoices(draft.files['dialogs/helpdesk.yaml']!);
    await store.set('draft', JSON.stringify({ ...draft, files: { ...draft.files, 'dialogs/helpdesk.yaml': dialog } }));
    let response = await publisher.call('POST', '/studio/api/publish', { message: 'swapped' });
    expect(response.status).toBe(422);
    let problems = ((await response.json()) as { problems: Array<{ field: string; message: string }> }).problems;
    expect(problems.length).toBeGreaterThan(0);
    for (const problem of problems) expect(problem.field).toMatch(/^conversation test .+\.yaml \((en|es|it|fr|de)\)$/);

    // German examples of two topics swapped: the content checks pass, the model learns the wrong thing.
    const examples = swapFirstTopicsExamples(draft.files['dialogs/understanding/de.yaml']!);
    await store.set(
      'draft',
      JSON.stringify({ ...draft, files: { ...draft.files, 'dialogs/understanding/de.yaml': examples } }),
    );
    response = await publisher.call('POST', '/studio/api/publish', { message: 'swapped examples' });
    expect(response.status).toBe(422);
    problems = ((await response.json()) as { problems: Array<{ field: string; message: string }> }).problems;
    expect(problems).toContainEqual({ field: 'understanding check', message: expect.stringMatching(/^de: /) });

    await store.set('draft', JSON.stringify(draft));
    const versions = (await (await publisher.call('GET', '/studio/api/versions')).json()) as Array<{ message: string }>;
    expect(versions.map((each) => each.message)).not.toContain('swapped');
  });

  it("shows what the draft's model understands, and previews the draft in a language with the trace", async () => {
    const client = await new StudioClient(bot.url).as('editor');
    // A held-out German message the files' model places right: the draft (the files, unchanged) must agree.
    const evalSet = parse(readFileSync(path.join(ROOT, 'test', 'nlu', 'eval.yaml'), 'utf8')) as {
      topics: Record<string, Record<string, string[]>>;
    };
    const model = languageModelOf(content());
    const [topic, message] = Object.entries(evalSet.topics.de!)
      .flatMap(([name, texts]) => texts.map((text) => [name, text] as const))
      .find(([name, text]) => model.rankIntents(text)[0]!.label === `topic:${name}`)!;
    const tried = await client.call('POST', '/studio/api/try', { text: message });
    expect(tried.status).toBe(200);
    const understood = (await tried.json()) as { language: { language: string }; intents: Array<{ intent: string }> };
    expect(understood.language.language).toBe('de');
    expect(understood.intents[0]!.intent).toBe(`topic:${topic}`);
    expect(understood.intents).toHaveLength(3);
    expect((await client.call('POST', '/studio/api/try', { text: '' })).status).toBe(400);

    const opened = await client.call('POST', '/studio/api/preview', { language: 'de', restart: true });
    const reply = (await opened.json()) as { said: string[]; trace: { locale: string; state: string } };
    expect(reply.said).toContain(openingKey());
    expect(reply.trace.locale).toBe('de');
    const next = (await (
      await client.call('POST', '/studio/api/preview', { language: 'de', text: message })
    ).json()) as {
      trace: { topic: string };
    };
    expect(next.trace.topic).toBe(topic);
    expect((await client.call('POST', '/studio/api/preview', { language: 'xx' })).status).toBe(400);
  });

  it('lays the draft out as a picture: a box per step, an arrow per button and outcome, labelled', async () => {
    const { dialog } = content();
    const client = await new StudioClient(bot.url).as('editor');
    const response = await client.call('GET', '/studio/api/picture?lang=de');
    expect(response.status).toBe(200);
    const picture = (await response.json()) as {
      start: string;
      width: number;
      height: number;
      nodes: Array<{ id: string; x: number; y: number; width: number; height: number }>;
      edges: Array<{ from: string; to: string; label: string; kind: string; points: unknown[] }>;
    };
    expect(picture.start).toBe(dialog.start);
    expect(picture.nodes.map((node) => node.id).sort()).toEqual(Object.keys(dialog.nodes).sort());
    for (const node of picture.nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(picture.height);
    }
    const arrows = (edges: Array<{ from: string; to: string; kind: string }>) =>
      edges.map((edge) => `${edge.from} -${edge.kind}-> ${edge.to}`).sort();
    const expected = Object.entries(dialog.nodes).flatMap(([id, node]) =>
      'outcomes' in node
        ? Object.values(node.outcomes).map((to) => ({ from: id, to, kind: 'outcome' }))
        : [
            ...node.choices.map((choice) => ({ from: id, to: choice.goto, kind: 'choice' })),
            ...(node.then ? [{ from: id, to: node.then, kind: 'choice' }] : []),
          ],
    );
    expect(arrows(picture.edges)).toEqual(arrows(expected));
    expect(picture.edges.every((edge) => edge.points.length >= 2)).toBe(true);
    // A button's arrow carries its German label, as the draft has it.
    const [id, node] = Object.entries(dialog.nodes).find(([, each]) => 'choices' in each && each.choices.length)!;
    const choice = (node as { choices: Array<{ label: string; goto: string }> }).choices[0]!;
    const german = (await client.getText('de', choice.label)).text;
    const label = picture.edges.find((edge) => edge.from === id && edge.to === choice.goto)!.label;
    expect(german.startsWith(label.replace(/…$/, ''))).toBe(true);

    expect((await client.call('GET', '/studio/api/picture?lang=xx')).status).toBe(400);
    expect((await fetch(`${bot.url}/studio/api/picture`)).status).toBe(401);
  });

  it('limits sign-in attempts', async () => {
    const client = new StudioClient(bot.url);
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 12; attempt++)
      statuses.push((await client.signIn('limited@example.org', 'wrong-password-1')).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
  });

  it('keeps versions, draft, users and sessions across a restart', async () => {
    const key = openingKey();
    const client = await new StudioClient(bot.url).as('publisher');
    const { text, etag } = await client.getText('it', key);
    const draftText = `${text} (bozza)`;
    expect((await client.putText('it', key, draftText, etag)).status).toBe(200);
    const before = await (await client.call('GET', '/studio/api/versions')).json();
    await bot.close();
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir });
    const again = new StudioClient(bot.url);
    again.cookie = client.cookie;
    again.csrfToken = client.csrfToken;
    expect(await (await again.call('GET', '/studio/api/versions')).json()).toEqual(before);
    expect((await again.getText('it', key)).text).toBe(draftText);
    expect((await new StudioClient(bot.url).signIn(EMAILS.editor, PASSWORDS.editor)).status).toBe(200);
  });
});

describe('the contract in api/studio.v1.yaml', () => {
  it('documents every answer the tests above got, status and body', () => {
    const contract = new Contract('studio.v1.yaml');
    const routes = new Set(StudioClient.answers.map((answer) => `${answer.method} ${answer.route}`));
    expect(routes.size).toBeGreaterThanOrEqual(8);
    const problems = StudioClient.answers.flatMap((answer) =>
      contract.check(answer.method, answer.route, answer.status, answer.body, answer.headers),
    );
    expect(problems).toEqual([]);
  });
});

describe('the studio turned off', () => {
  it('serves no studio with STUDIO=off', async () => {
    const bot = await startStudioBot({ STUDIO: 'off' });
    try {
      expect((await fetch(`${bot.url}/studio`)).status).toBe(404);
      expect((await new StudioClient(bot.url).signIn(EMAILS.editor, PASSWORDS.editor)).status).toBe(404);
    } finally {
      await bot.close();
    }
  });
});
