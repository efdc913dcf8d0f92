import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import { isLanguage, LANGUAGES, type Language } from '../src/dialog/languages';
import { loadContent, type Content } from '../src/content/loadContent';
import { dialogGraph, toMermaid, toSvg } from './diagram';

/** The files `npm run content:diagram` writes, by name; English is docs/dialog.*, others docs/dialog.<lang>.* */
export function diagramFiles(content: Content, language: Language): Record<string, string> {
  const graph = dialogGraph(content, language);
  const base = language === 'en' ? 'dialog' : `dialog.${language}`;
  const mermaid = toMermaid(graph);
  const svg = toSvg(graph);
  const markdown = [
    `# The helpdesk dialog (${language})`,
    '',
    'Generated from `dialogs/helpdesk.yaml` and `locales/` by `npm run content:diagram`; do not edit by hand.',
    'Boxes are steps (double-edged: forms that ask questions and call the account service); solid arrows are',
    'buttons, dotted arrows what an account-service action leads to. Every step also has *Back* and *Main menu*.',
    '',
    `![The dialog as a picture](${base}.svg)`,
    '',
    '```mermaid',
    mermaid.trimEnd(),
    '```',
    '',
  ].join('\n');
  const html =
    `<!doctype html>\n<html lang="${language}"><head><meta charset="utf-8">` +
    `<title>Helpdesk dialog (${language})</title></head>\n<body style="margin:0">\n${svg}\n</body></html>\n`;
  return { [`${base}.mmd`]: mermaid, [`${base}.svg`]: `${svg}\n`, [`${base}.md`]: markdown, [`${base}.html`]: html };
}

/**
 * The picture's steps and arrows without the texts in them (a step's words, a button's label): what must match
 * the content for the picture to be right. An action a form calls and the results it leads by stay.
 */
export function diagramShape(mermaid: string): string[] {
  return mermaid
    .split('\n')
    .map((line) => line.replace(/<br\/>(?!⚙)[^<"]*/g, '').replace(/ -- "[^"]*" --> /, ' -- "" --> '))
    .filter((line) => line.trim());
}

/** Whether docs/dialog.* under `projectRoot` shows the content under `contentRoot`: as is, in older words, or not. */
export function diagramStatus(contentRoot: string, projectRoot: string): 'current' | 'wording' | 'outdated' {
  const file = path.join(projectRoot, 'docs', 'dialog.mmd');
  const drawn = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const fresh = diagramFiles(loadContent(contentRoot), 'en')['dialog.mmd']!;
  if (drawn === fresh) return 'current';
  return JSON.stringify(diagramShape(drawn)) === JSON.stringify(diagramShape(fresh)) ? 'wording' : 'outdated';
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      lang: { type: 'string', default: 'en' },
      out: { type: 'string', default: path.join(PROJECT_ROOT, 'docs') },
    },
  });
  const language = values.lang!;
  if (!isLanguage(language)) {
    process.stderr.write(`--lang must be one of ${LANGUAGES.join(', ')}\n`);
    process.exit(1);
  }
  try {
    const files = diagramFiles(loadContent(PROJECT_ROOT), language);
    mkdirSync(values.out!, { recursive: true });
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(values.out!, name), text);
    process.stdout.write(
      `Wrote ${Object.keys(files)
        .map((name) => path.join(values.out!, name))
        .join(', ')}\nOpen the .html file in a browser to see the picture.\n`,
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exitCode = 1;
  }
}
