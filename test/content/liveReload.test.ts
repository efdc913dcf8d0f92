import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { parseDocument } from 'yaml';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { content, contentCopy, ROOT } from '../support/helpers';
import { activity } from '../support/activities';

async function say(bot: RunningBot, conversation: string, text: string): Promise<string> {
  const response = await fetch(`${bot.url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(activity(conversation, { text })),
  });
  const body = (await response.json()) as { activities: Array<{ type: string; text?: string }> };
  return body.activities.find((activity) => activity.type === 'message')!.text!;
}

/** Asks again until the reply satisfies `done` (a save takes a moment to be noticed); returns the last reply. */
async function until(ask: () => Promise<string>, done: (reply: string) => boolean): Promise<string> {
  let reply = await ask();
  for (let attempt = 0; attempt < 50 && !done(reply); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    reply = await ask();
  }
  return reply;
}

describe('live reload in npm run dev', () => {
  const copy = contentCopy();
  const lines: string[] = [];
  const logger = pino(
    { level: 'info' },
    new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) }),
  );
  const told: string[] = [];
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', CONTENT_DIR: copy.root, CONTENT_WATCH: 'true' }),
      logger,
      { tell: (text) => told.push(text) },
    );
  });
  afterAll(async () => bot.close());

  it('swaps in a saved wording change, and a new choice leading to a new node, without a restart', async () => {
    copy.edit('locales/en/helpdesk.json', (text) => {
      const json = JSON.parse(text) as { menu: { intro: string } };
      const intro = 'How can I help with your results account today?';
      return `${JSON.stringify({ ...json, menu: { ...json.menu, intro } }, null, 2)}\n`;
    });
    const reply = await until(
      () => say(bot, 'wording', 'menu'),
      (text) => text.includes('How can I help'),
    );
    expect(reply).toContain('How can I help with your results account today?');

    copy.edit('dialogs/helpdesk.yaml', (text) =>
      text
        .replace(
          '      - label: menu.choice.centreClosed\n        goto: centreClosed\n',
          '      - label: menu.choice.centreClosed\n        goto: centreClosed\n' +
            '      - label: menu.choice.results\n        goto: results\n',
        )
        .concat('\n  results:\n    topic: menu\n    say: [results.body]\n'),
    );
    const texts: Record<string, [string, string]> = {
      en: ['When do results come out?', 'Results are published on the date your centre gave you.'],
      es: ['¿Cuándo salen los resultados?', 'Los resultados se publican en la fecha que le indicó su centro.'],
      it: ['Quando escono i risultati?', 'I risultati escono nella data indicata dal tuo centro.'],
      fr: ['Quand les résultats sont-ils publiés ?', 'Les résultats sont publiés à la date indiquée par votre centre.'],
      de: ['Wann kommen die Ergebnisse?', 'Die Ergebnisse erscheinen an dem Datum, das Ihr Zentrum genannt hat.'],
    };
    for (const [language, [label, body]] of Object.entries(texts)) {
      const file = path.join(copy.root, 'locales', language, 'helpdesk.json');
      const json = JSON.parse(readFileSync(file, 'utf8'));
      json.menu.choice.results = label;
      json.results = { body };
      writeFileSync(file, JSON.stringify(json, null, 2));
    }
    const answer = await until(
      () => say(bot, `new-node-${Date.now()}`, 'When do results come out?'),
      (text) => text.includes('Results are published'),
    );
    expect(answer.endsWith('\n\nResults are published on the date your centre gave you.')).toBe(true);
    expect(lines.some((line) => line.includes('"msg":"content reloaded"'))).toBe(true);
  });

  it('keeps the previous content live when an edit is invalid, and prints the errors', async () => {
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingId', 'goto: missingID'));
    await until(
      async () => told.join(''),
      (printed) => printed.includes('Content not reloaded'),
    );
    expect(lines.join('')).toContain('content not reloaded, the previous content stays live');
    expect(told.join('')).toMatch(/^ {2}dialogs\/helpdesk\.yaml:\d+:\d+ {2}\[unknown-target\] .*"missingID"/m);
    const reply = await say(bot, 'after-bad-edit', 'menu');
    expect(reply).toContain('How can I help with your results account today?');
  });

  it('keeps noticing saves after editors replace the file (temp file and rename, sed -i, git checkout)', async () => {
    // The test before left the dialog broken on purpose.
    copy.edit('dialogs/helpdesk.yaml', (text) => text.replace('goto: missingID', 'goto: missingId'));
    const file = path.join(copy.root, 'locales', 'en', 'helpdesk.json');
    const original = JSON.parse(readFileSync(file, 'utf8')) as { menu: { intro: string } };
    for (const round of [1, 2, 3]) {
      const json = { ...original, menu: { ...original.menu, intro: `Atomic save number ${round}: how can I help?` } };
      // What such editors do: write the whole file beside it, then rename it over the old one.
      const temporary = path.join(copy.root, 'locales', 'en', `.helpdesk.json.${round}.tmp`);
      writeFileSync(temporary, `${JSON.stringify(json, null, 2)}\n`);
      renameSync(temporary, file);
      const reply = await until(
        () => say(bot, `atomic-${round}`, 'menu'),
        (text) => text.includes(`Atomic save number ${round}`),
      );
      expect(reply).toContain(`Atomic save number ${round}: how can I help?`);
    }
  });
});

describe('npm run dev, as the person editing sees it', () => {
  const copy = contentCopy();
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('prints an invalid edit as plain lines: a YAML mistake in plain words, the other checks too', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'index.ts')], {
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        CONTENT_DIR: copy.root,
        CONTENT_WATCH: 'true',
        STUDIO: 'off',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let [stdout, stderr] = ['', ''];
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const waitFor = async (done: () => boolean) => {
      for (let attempt = 0; attempt < 300 && !done() && child!.exitCode === null; attempt++)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(done()).toBe(true);
    };
    await waitFor(() => stderr.includes('The helpdesk chat page is at'));

    // Two mistakes at once: a list left open in the dialog, and an empty German text.
    const dialog = 'dialogs/helpdesk.yaml';
    const start = `start: ${content().dialog.start}`;
    copy.edit(dialog, (text) => text.replace(start, `${start}\nbroken: [open`));
    const [key] = Object.keys(content().resources.de.common);
    copy.edit('locales/de/common.json', (text) => {
      const data = JSON.parse(text) as Record<string, unknown>;
      return `${JSON.stringify({ ...data, [key!]: '' }, null, 2)}\n`;
    });
    await waitFor(() => /content not reloaded[\s\S]*\n\d+ error\(s\)/i.test(stderr));

    const lines = stderr.split('\n');
    const yaml = lines.find((line) => line.includes('[yaml-syntax]'));
    expect(yaml).toMatch(new RegExp(`^  ${dialog}:\\d+:\\d+  \\[yaml-syntax\\] `));
    // Plain words, not the parser's: the parser's own message for this text is not what is printed.
    const parser = parseDocument(readFileSync(path.join(copy.root, dialog), 'utf8'), { prettyErrors: false });
    for (const error of parser.errors) expect(yaml).not.toContain(error.message.split('\n')[0]);
    expect(yaml).not.toMatch(/\bat \S+:\d+:\d+\)|Error:/);
    // The other checks ran too: the empty German text is named.
    expect(lines.some((line) => /^ {2}locales\/de\/common\.json:\d+:\d+ {2}\[empty-text\] /.test(line))).toBe(true);
    // Nothing of it is written as JSON for the person reading.
    expect(stdout).not.toContain('[yaml-syntax]');
    expect(stderr).not.toMatch(/^\{/m);
  }, 120_000);
});
