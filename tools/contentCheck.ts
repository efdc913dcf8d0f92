import path from 'node:path';
import { PROJECT_ROOT } from '../src/config';
import { LANGUAGES } from '../src/dialog/languages';
import { checkContent, formatProblem } from '../src/content/loadContent';
import { diagramStatus } from './contentDiagram';

/** `npm run content:check`: the same checks the bot runs at start-up, for support leads before they commit. */
const root = process.argv[2] ?? PROJECT_ROOT;
const { content, problems } = checkContent(root);
const errors = problems.filter((problem) => problem.severity === 'error');
const warnings = problems.filter((problem) => problem.severity === 'warning');
if (problems.length > 0) {
  process.stderr.write(`${problems.map(formatProblem).join('\n')}\n\n`);
}
if (content) {
  const nodes = Object.keys(content.dialog.nodes).length;
  const warned = warnings.length ? `, ${warnings.length} warning(s)` : '';
  process.stdout.write(
    `Content OK: ${nodes} nodes, ${LANGUAGES.length} languages (${LANGUAGES.join(', ')})${warned}.\n`,
  );
  // The picture of the dialog in docs/ is redrawn by a command; say when it no longer shows this content.
  if (path.resolve(root) === path.resolve(PROJECT_ROOT)) {
    const status = diagramStatus(root, PROJECT_ROOT);
    if (status !== 'current')
      process.stdout.write(
        `Note: docs/dialog.md shows ${status === 'wording' ? 'older wording' : 'older steps or buttons'}; ` +
          'run npm run content:diagram to redraw it.\n',
      );
  }
} else {
  process.stderr.write(
    `${errors.length} error(s), ${warnings.length} warning(s): the bot will not start until the errors are fixed.\n`,
  );
  process.exitCode = 1;
}
