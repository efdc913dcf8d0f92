import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { RunningBot } from '../../src/index';
import { readSnapshot, writeSnapshot } from '../../src/studio/snapshot';
import { FileStudioStore } from '../../src/studio/store';
import { readText, textsOf, withText } from '../../src/studio/texts';
import { ROOT } from '../support/helpers';
import { serverSays } from '../support/studioWords';
import { runTool } from '../support/runTool';
import { openingKey, startStudioBot, StudioClient, studioDataDir } from '../support/studioClient';
import { tempFolder } from '../support/tempFolders';

jest.setTimeout(180_000);

/** `npm run content:export`, reading the studio's data folder (never a Redis of the environment). */
const contentExport = (dataDir: string, args: string[]) =>
  runTool('contentExport.ts', args, { STUDIO: 'on', STUDIO_DATA_DIR: dataDir, REDIS_URL: '', CONTENT_DIR: '' });

/** The lines of two texts that differ (the files keep their line count when one text changes). */
function changedLines(before: string, after: string): Array<[string, string]> {
  const [old, now] = [before.split('\n'), after.split('\n')];
  expect(now).toHaveLength(old.length);
  return old.flatMap((line, index) => (line === now[index] ? [] : [[line, now[index]!] as [string, string]]));
}

async function versionsOf(
  bot: RunningBot,
  headers: Record<string, string> = {},
): Promise<Array<{ version: number; author: string; message: string }>> {
  const client = await new StudioClient(bot.url).as('editor');
  return (await (await client.call('GET', '/studio/api/versions', undefined, headers)).json()) as Array<{
    version: number;
    author: string;
    message: string;
  }>;
}

describe('the content files and the studio', () => {
  const files = readSnapshot(ROOT);
  let dataDir: string;
  let contentDir: string;
  let bot: RunningBot | undefined;
  beforeAll(async () => {
    dataDir = await studioDataDir();
    contentDir = tempFolder('studio-content-');
    writeSnapshot(files, contentDir);
  });
  afterEach(async () => {
    await bot?.close();
    bot = undefined;
  });

  it('exports the first version byte for byte: the round trip of the files changes nothing', async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
    await bot.close();
    bot = undefined;

    const out = tempFolder('studio-export-');
    const exported = await contentExport(dataDir, ['--out', out]);
    expect(exported.code).toBe(0);
    expect(readSnapshot(out)).toEqual(files);
    for (const file of Object.keys(files))
      expect(readFileSync(path.join(out, file)).equals(readFileSync(path.join(ROOT, file)))).toBe(true);

    const again = await contentExport(dataDir, ['--out', contentDir]);
    expect(again.code).toBe(0);
    expect(again.output).not.toMatch(/written|removed/);
    expect(readSnapshot(contentDir)).toEqual(files);
  });

  it('exports a published text change as a one-line change of its own file', async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
    const key = openingKey();
    const publisher = await new StudioClient(bot.url).as('publisher');
    const { text, etag } = await publisher.getText('es', key);
    const changed = `${text} (cambiado en el estudio)`;
    expect((await publisher.putText('es', key, changed, etag)).status).toBe(200);
    const published = await publisher.call('POST', '/studio/api/publish', { message: 'Saludo en español' });
    expect(published.status).toBe(201);
    await bot.close();
    bot = undefined;

    const exported = await contentExport(dataDir, ['--out', contentDir]);
    expect(exported.code).toBe(0);
    expect(exported.output.match(/^\s+(written|removed)\s+(\S+)$/gm)?.map((line) => line.trim())).toEqual([
      'written  locales/es/helpdesk.json',
    ]);
    const now = readSnapshot(contentDir);
    expect(Object.keys(now).filter((file) => now[file] !== files[file])).toEqual(['locales/es/helpdesk.json']);
    const lines = changedLines(files['locales/es/helpdesk.json']!, now['locales/es/helpdesk.json']!);
    expect(lines).toHaveLength(1);
    expect(lines[0]![0]).toContain(JSON.stringify(text));
    expect(lines[0]![1]).toContain(JSON.stringify(changed));
    expect(readText(now, { language: 'es', key })).toBe(changed);

    // A deploy of the exported files is the published version already: no new version.
    const before = await (async () => {
      bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
      return versionsOf(bot);
    })();
    expect(before[0]).toMatchObject({ message: 'Saludo en español' });
    expect(before.map((each) => each.author).filter((author) => author === 'files')).toHaveLength(1);
  });

  it("names the versions it made itself in the reader's language, those kept before it had the words too", async () => {
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
    await bot.close();
    const store = new FileStudioStore(dataDir);
    const first = JSON.parse((await store.get('version:1'))!) as { message: string; says?: unknown };
    expect(first.message).toBe(serverSays('en')('version.firstFiles'));
    // As a version was kept before: its name in English only.
    const { says, ...earlier } = first;
    expect(says).toBeDefined();
    await store.set('version:1', JSON.stringify({ ...earlier, message: 'The content in the files, at first start' }));
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
    for (const language of ['fr', 'es'] as const)
      expect((await versionsOf(bot, { 'accept-language': language })).at(-1)!.message).toBe(
        serverSays(language)('version.firstFiles'),
      );
  });

  it('names a version that does not exist, in plain words', async () => {
    const missing = await contentExport(dataDir, ['--out', tempFolder('studio-export-'), '--version', '99']);
    expect(missing.code).toBe(1);
    expect(missing.output.trim()).toBe('There is no version 99 in the studio.');
    const empty = await contentExport(tempFolder('studio-data-'), ['--out', tempFolder('studio-export-')]);
    expect(empty.code).toBe(1);
    expect(empty.output).not.toMatch(/\bat \S+:\d+/);
  });
});

describe('a deploy with changed files', () => {
  it('becomes a new version "from files"; where the draft changed the same text, the deploy wins', async () => {
    const dataDir = await studioDataDir();
    const contentDir = tempFolder('studio-content-');
    const files = readSnapshot(ROOT);
    writeSnapshot(files, contentDir);
    let bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
    // The draft changes two Spanish texts; the deploy below changes the first of them too.
    const key = openingKey();
    const other = [...textsOf(files, 'es').keys()].find((each) => each !== key)!;
    const editor = await new StudioClient(bot.url).as('editor');
    for (const each of [key, other]) {
      const { text, etag } = await editor.getText('es', each);
      expect((await editor.putText('es', each, `${text} (borrador)`, etag)).status).toBe(200);
    }
    await bot.close();

    const deployed = `${readText(files, { language: 'es', key })!} (desplegado)`;
    writeSnapshot(withText(files, { language: 'es', key }, deployed), contentDir);
    bot = await startStudioBot({ STUDIO_DATA_DIR: dataDir, CONTENT_DIR: contentDir });
    try {
      const versions = await versionsOf(bot);
      expect(versions.map((each) => each.author)).toEqual(['files', 'files']);
      expect(versions[0]!.message).toBe(serverSays('en')('version.fromFiles'));
      const client = await new StudioClient(bot.url).as('editor');
      expect((await client.getText('es', key)).text).toBe(deployed);
      expect((await client.getText('es', other)).text).toMatch(/ \(borrador\)$/);
      const audit = await new FileStudioStore(dataDir).lines('audit');
      expect(audit.find((line) => line.includes('"action":"files"') && line.includes(key))).toBeDefined();
    } finally {
      await bot.close();
    }
  });
});
