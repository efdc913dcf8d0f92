import { PROJECT_ROOT } from '../config';
import { LANGUAGES } from './languages';
import { ContentError, loadContent } from './loadContent';

/** `npm run content:check`: the same checks the bot runs at start-up, for support leads before they commit. */
try {
  const content = loadContent(process.argv[2] ?? PROJECT_ROOT);
  const nodes = Object.keys(content.dialog.nodes).length;
  process.stdout.write(`Content OK: ${nodes} nodes, ${LANGUAGES.length} languages (${LANGUAGES.join(', ')}).\n`);
} catch (error) {
  if (!(error instanceof ContentError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exitCode = 1;
}
