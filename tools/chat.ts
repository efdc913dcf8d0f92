import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import { isLanguage, LANGUAGES } from '../src/dialog/languages';
import { formatProblem, loadContent } from '../src/content/loadContent';
import { watchContent } from '../src/content/watch';
import { buildRuntime, type Runtime } from '../src/conversation/runtime';
import { inMemoryAccounts, loadAccounts } from '../src/referenceService/referenceAccounts';
import { ANSI, ChatPreview, PLAIN } from './chatPreview';
import { stringifyScript } from './conversationScript';

/** `npm run chat -- --lang de [--record test/conversations/my-test.yaml]` */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lang: { type: 'string', default: 'en' },
      record: { type: 'string' },
      content: { type: 'string', default: PROJECT_ROOT },
    },
  });
  if (!isLanguage(values.lang)) throw new Error(`--lang must be one of ${LANGUAGES.join(', ')}`);
  const root = path.resolve(values.content!);
  const style = process.stdout.isTTY ? ANSI : PLAIN;
  const accounts = inMemoryAccounts(loadAccounts(path.join(PROJECT_ROOT, 'demo', 'accounts.json')));
  let runtime: Runtime = buildRuntime(loadContent(root), accounts);
  const watcher = watchContent(
    root,
    (content) => {
      runtime = buildRuntime(content, accounts);
      process.stdout.write(style.dim('\n↻ content reloaded\n'));
    },
    (problems) =>
      process.stdout.write(
        style.warn(
          `\n✗ content not reloaded (the previous content stays):\n${problems.map(formatProblem).join('\n')}\n`,
        ),
      ),
  );

  const preview = new ChatPreview(() => runtime, values.lang, style);
  process.stdout.write(
    style.dim('Type a button number, its text, or anything a candidate might type. Ctrl+D or /quit to stop.\n\n'),
  );
  process.stdout.write(`${await preview.open()}\n`);
  const lines = createInterface({ input: process.stdin, output: process.stdout, prompt: '\n> ' });
  lines.prompt();
  try {
    for await (const line of lines) {
      if (line.trim() === '/quit') break;
      process.stdout.write(`${await preview.input(line)}\n`);
      lines.prompt();
    }
  } finally {
    lines.close();
    watcher.close();
  }
  if (values.record) {
    writeFileSync(values.record, stringifyScript(preview.script()));
    process.stdout.write(
      `\nRecorded ${preview.script().steps.length} steps to ${values.record}; ` +
        'it now runs in all five languages with npm test.\n',
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.name === 'ContentError' ? error.message : (error.stack ?? error.message)}\n`);
  process.exitCode = 1;
});
