import type { RunningBot } from '../../src/index';
import { content } from '../support/helpers';
import { serverSays } from '../support/studioWords';
import {
  EMAILS,
  keyWithPlaceholder,
  openingKey,
  startStudioBot,
  StudioClient,
  studioDataDir,
} from '../support/studioClient';

jest.setTimeout(120_000);

type Answer = { error: string; message: string; problems?: Array<{ field: string; message: string }> };

/** The placeholders a text uses, as the content check compares them. */
const placeholdersIn = (text: string) =>
  [...text.matchAll(/\{\{\s*([^},\s]+)[^}]*\}\}/g)].map((match) => `{{${match[1]}}}`).sort();

/**
 * The studio's server speaks the language the page is shown in: a request with Accept-Language gets its errors,
 * refusals and the content checks' problems in that language, from the content (locales/<language>/web.json).
 */
describe("the studio API's words in the lead's language", () => {
  let bot: RunningBot;
  const de = serverSays('de');
  const en = serverSays('en');
  const german = { 'accept-language': 'de' };
  beforeAll(async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: await studioDataDir() });
  });
  afterAll(async () => bot?.close());

  it('says a wrong password in German when asked in German, and in English when not asked', async () => {
    const signIn = (headers: Record<string, string>) =>
      fetch(`${bot.url}/studio/api/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ email: EMAILS.editor, password: 'not-the-password' }),
      });
    const inGerman = await signIn(german);
    expect(inGerman.status).toBe(401);
    expect(await inGerman.json()).toEqual({ error: 'wrong_credentials', message: de('error.wrongCredentials') });
    const notAsked = await signIn({});
    expect(((await notAsked.json()) as Answer).message).toBe(en('error.wrongCredentials'));
  });

  it('says a missing CSRF token and a stale etag in German', async () => {
    const key = openingKey();
    const first = await new StudioClient(bot.url).as('editor');
    const second = await new StudioClient(bot.url).as('editor');
    const read = await first.getText('de', key);

    const token = first.csrfToken;
    first.csrfToken = '';
    const noToken = await first.call(
      'PUT',
      `/studio/api/texts/de/${key}`,
      { text: read.text },
      { 'if-match': read.etag, ...german },
    );
    first.csrfToken = token;
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as Answer).message).toBe(de('error.csrf'));

    const saved = await first.putText('de', key, `${read.text} (1)`, read.etag);
    expect(saved.status).toBe(200);
    const { etag } = (await saved.json()) as { etag: string };
    const stale = await second.call(
      'PUT',
      `/studio/api/texts/de/${key}`,
      { text: `${read.text} (2)` },
      {
        'if-match': read.etag,
        ...german,
      },
    );
    expect(stale.status).toBe(409);
    expect(((await stale.json()) as Answer).message).toBe(de('error.conflict'));
    expect((await first.putText('de', key, read.text, etag)).status).toBe(200);
  });

  it('says why a text that loses a placeholder is refused, in German, next to its field', async () => {
    const { key, text: english } = keyWithPlaceholder();
    const client = await new StudioClient(bot.url).as('editor');
    const { text, etag } = await client.getText('de', key);
    const withoutLink = text.replace(/\[?\{\{\s*links\.\w+\s*\}\}\]?(\(\{\{\s*links\.\w+\s*\}\}\))?/g, 'dort');
    const response = await client.call(
      'PUT',
      `/studio/api/texts/de/${key}`,
      { text: withoutLink },
      {
        'if-match': etag,
        ...german,
      },
    );
    expect(response.status).toBe(422);
    const answer = (await response.json()) as Answer;
    expect(answer.message).toBe(de('error.invalidText'));
    const left = placeholdersIn(withoutLink).join(' ');
    const expected = left
      ? de.pattern('problem.placeholdersDiffer', { path: key, found: left, english: placeholdersIn(english).join(' ') })
      : de.pattern('problem.placeholdersMissing', { path: key, english: placeholdersIn(english).join(' ') });
    expect(answer.problems).toContainEqual({ field: `de/${key}`, message: expect.stringMatching(expected) });
  });

  it('says in German that publishing needs a message', async () => {
    const publisher = await new StudioClient(bot.url).as('publisher');
    const response = await publisher.call('POST', '/studio/api/publish', { message: ' ' }, german);
    expect(response.status).toBe(422);
    expect(await response.json()).toEqual({
      error: 'invalid_publish',
      message: de('error.publishNeedsMessage'),
      problems: [{ field: 'message', message: de('problem.publishMessage') }],
    });
  });

  it('says in German, beside the step, that a step added on its own cannot be reached', async () => {
    const editor = await new StudioClient(bot.url).as('editor');
    const { start } = content().dialog;
    const { step } = (await (await editor.call('GET', `/studio/api/steps/${start}`)).json()) as { step: unknown };
    const id = `${start}Alone`;
    const response = await editor.call('PUT', `/studio/api/steps/${id}`, { step }, { 'if-none-match': '*', ...german });
    expect(response.status).toBe(422);
    expect(((await response.json()) as Answer).problems).toContainEqual({
      field: `nodes.${id}`,
      message: expect.stringMatching(de.pattern('problem.unreachable', { start })),
    });
  });

  it('says in German that a version asked for in the history does not exist', async () => {
    const editor = await new StudioClient(bot.url).as('editor');
    const response = await editor.call('GET', '/studio/api/versions/999/diff', undefined, german);
    expect(response.status).toBe(404);
    expect(((await response.json()) as Answer).message).toBe(de('error.noVersion', { version: '999' }));
  });

  it('says in German that a structure change names a step that does not exist', async () => {
    const editor = await new StudioClient(bot.url).as('editor');
    const { etag } = (await (await editor.call('GET', '/studio/api/structure')).json()) as { etag: string };
    const step = `${Object.keys(content().dialog.nodes).join('')}Gone`;
    const response = await editor.call(
      'POST',
      '/studio/api/structure',
      { changes: [{ op: 'removeStep', id: step }] },
      {
        'if-match': etag,
        ...german,
      },
    );
    expect(response.status).toBe(422);
    const answer = (await response.json()) as Answer;
    expect(answer.message).toBe(de('error.invalidStructure'));
    expect(answer.problems).toContainEqual({ field: 'changes[0].id', message: de('problem.noStep', { step }) });
  });
});
