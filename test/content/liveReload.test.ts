import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { loadConfig } from '../../src/config';
import { startBot, type RunningBot } from '../../src/index';
import { contentCopy } from '../support/helpers';
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
  let bot: RunningBot;
  beforeAll(async () => {
    bot = await startBot(
      loadConfig({ PORT: '0', HOST: '127.0.0.1', CONTENT_DIR: copy.root, CONTENT_WATCH: 'true' }),
      logger,
    );
  });
  afterAll(async () => bot.close());

  it('swaps in a saved wording change, and a new choice leading to a new node, without a restart', async () => {
    copy.edit('locales/en/helpdesk.json', (text) =>
      text.replace(
        "What's stopping you from getting into your results account?",
        'How can I help with your results account today?',
      ),
    );
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
      async () => lines.join(''),
      (log) => log.includes('content not reloaded'),
    );
    const log = lines.join('');
    expect(log).toContain('content not reloaded, the previous content stays live');
    expect(log).toContain('[unknown-target] nodes.credentials.choices[2].goto: leads to \\"missingID\\"');
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
