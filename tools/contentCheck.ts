import { PROJECT_ROOT } from '../src/config';
import { LANGUAGES } from '../src/dialog/languages';
import { checkContent, formatProblem } from '../src/content/loadContent';

/** `npm run content:check`: the same checks the bot runs at start-up, for support leads before they commit. */
const { content, problems } = checkContent(process.argv[2] ?? PROJECT_ROOT);
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
} else {
  process.stderr.write(
    `${errors.length} error(s), ${warnings.length} warning(s): the bot will not start until the errors are fixed.\n`,
  );
  process.exitCode = 1;
}
