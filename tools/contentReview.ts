import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../src/config';
import { readLocaleFiles } from '../src/content/localeFiles';
import { formatProblem, type ContentProblem } from '../src/content/problems';
import { reviewPage, reviewRows } from './translationReview';

/** `npm run content:review`: works on broken content too, since that is when a reviewer needs it most. */
const { values } = parseArgs({
  options: { out: { type: 'string', default: path.join(PROJECT_ROOT, 'build', 'translations.html') } },
});
const problems: ContentProblem[] = [];
const rows = reviewRows(readLocaleFiles(PROJECT_ROOT, problems));
mkdirSync(path.dirname(values.out!), { recursive: true });
writeFileSync(values.out!, reviewPage(rows));
if (problems.length) process.stderr.write(`${problems.map(formatProblem).join('\n')}\n`);
process.stdout.write(`Wrote ${values.out} (${rows.length} texts). Open it in a browser.\n`);
