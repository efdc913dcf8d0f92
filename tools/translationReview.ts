import { LANGUAGES } from '../src/dialog/languages';
import { flatten, type LocaleFile } from '../src/content/localeFiles';

export type Flag = 'missing' | 'same-as-english' | 'much-longer' | 'much-shorter';

export interface ReviewRow {
  key: string;
  texts: Record<string, string | undefined>;
  flags: Record<string, Flag[]>;
}

/** Longer than this many times the English text (or shorter than its inverse) is worth a second look. */
const LENGTH_RATIO = 1.6;

/** Every text, side by side in the five languages, with what a translation reviewer should look at. */
export function reviewRows(files: LocaleFile[]): ReviewRow[] {
  const texts = new Map<string, Record<string, string | undefined>>();
  for (const file of files) {
    for (const [key, value] of flatten(file.data)) {
      const id = file.ns === 'helpdesk' ? key : `${file.ns}:${key}`;
      if (!texts.has(id)) texts.set(id, {});
      texts.get(id)![file.language] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return [...texts.entries()]
    .sort(([a], [b]) =>
      a.startsWith('common:') === b.startsWith('common:') ? a.localeCompare(b) : a.startsWith('common:') ? 1 : -1,
    )
    .map(([key, byLanguage]) => {
      const english = byLanguage.en;
      const flags: Record<string, Flag[]> = {};
      for (const language of LANGUAGES) {
        const text = byLanguage[language];
        const found: Flag[] = [];
        if (!text?.trim()) found.push('missing');
        else if (language !== 'en' && english) {
          if (text.trim() === english.trim()) found.push('same-as-english');
          else if (text.length > english.length * LENGTH_RATIO && text.length - english.length > 12)
            found.push('much-longer');
          else if (text.length * LENGTH_RATIO < english.length && english.length - text.length > 12)
            found.push('much-shorter');
        }
        flags[language] = found;
      }
      return { key, texts: byLanguage, flags };
    });
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const FLAG_NAMES: Record<Flag, string> = {
  missing: 'missing',
  'same-as-english': 'same as English',
  'much-longer': 'much longer than English',
  'much-shorter': 'much shorter than English',
};

const CHIP_STYLE =
  '.chip{display:inline-block;padding:.1rem .5rem;border-radius:1rem;margin-right:.4rem}' +
  '.chip.missing{background:#fde2e2}.chip.same-as-english{background:#fff3cd}' +
  '.chip.much-longer,.chip.much-shorter{background:#e3f0ff}';

export function reviewPage(rows: ReviewRow[]): string {
  const count = (flag: Flag) =>
    rows.reduce((total, row) => total + LANGUAGES.filter((language) => row.flags[language]!.includes(flag)).length, 0);
  const summary = (Object.keys(FLAG_NAMES) as Flag[])
    .map((flag) => `<span class="chip ${flag}">${FLAG_NAMES[flag]}: ${count(flag)}</span>`)
    .join(' ');
  const body = rows
    .map((row) => {
      const cells = LANGUAGES.map((language) => {
        const flags = row.flags[language]!;
        const note = flags.length ? `<div class="note">${flags.map((flag) => FLAG_NAMES[flag]).join(', ')}</div>` : '';
        return `<td class="${flags.join(' ')}" lang="${language}">${escape(row.texts[language] ?? '')}${note}</td>`;
      }).join('');
      return `<tr id="${escape(row.key)}"><th scope="row"><code>${escape(row.key)}</code></th>${cells}</tr>`;
    })
    .join('\n');
  const intro =
    'Every text of the helpdesk bot, generated from <code>locales/</code> by <code>npm run content:review</code>.';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Translation review</title>
<style>
body{font:14px/1.45 system-ui,sans-serif;margin:1.5rem;color:#222}
table{border-collapse:collapse;width:100%;table-layout:fixed}
th,td{border:1px solid #ddd;padding:.4rem .5rem;vertical-align:top;white-space:pre-wrap;word-wrap:break-word}
thead th{position:sticky;top:0;background:#f4f6fa}
th[scope=row]{width:14rem;text-align:left;font-weight:normal;background:#fafafa}
td.missing{background:#fde2e2}td.same-as-english{background:#fff3cd}td.much-longer,td.much-shorter{background:#e3f0ff}
.note{font-size:12px;color:#7a4b00;margin-top:.3rem;font-style:italic}
${CHIP_STYLE}
</style></head>
<body>
<h1>Translation review</h1>
<p>${intro} ${rows.length} texts. ${summary}</p>
<table><thead><tr><th>key</th>${LANGUAGES.map((language) => `<th>${language}</th>`).join('')}</tr></thead>
<tbody>
${body}
</tbody></table>
</body></html>
`;
}
