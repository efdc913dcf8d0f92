import { parseArgs } from 'node:util';
import path from 'node:path';
import { ConfigError, loadConfig } from '../src/config';
import { exportVersion } from '../src/studio/export';
import { reportFailure, withStudioStore } from './studioStore';

/**
 * `npm run content:export [-- --out <folder>] [--version <n>]`: writes the published version of the studio (or
 * version n) as the dialogs/ and locales/ files, byte for byte as a lead would have edited them, ready to review
 * and commit. Reads the studio's data where the bot keeps it: Redis when REDIS_URL is set, else STUDIO_DATA_DIR.
 * The files go to --out, else CONTENT_DIR, else the project itself.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' }, version: { type: 'string' } } });
  const usage = 'usage: npm run content:export -- [--out <folder>] [--version <number>]';
  const version = values.version === undefined ? undefined : Number(values.version);
  if (version !== undefined && !(Number.isInteger(version) && version > 0))
    throw new ConfigError(`--version must be a version number\n${usage}`);
  const config = loadConfig();
  const root = path.resolve(values.out ?? config.contentDir);
  const result = await withStudioStore(config, (store) => exportVersion(store, root, version));
  if (!result)
    throw new ConfigError(
      version ? `There is no version ${version} in the studio.` : 'The studio has no version yet: start the bot once.',
    );
  const { version: info, written, removed, unchanged } = result;
  const out = process.stdout;
  out.write(`Version ${info.version} ("${info.message}", ${info.author}, ${info.time}) in ${root}:\n`);
  for (const file of written) out.write(`  written  ${file}\n`);
  for (const file of removed) out.write(`  removed  ${file}\n`);
  out.write(
    written.length + removed.length === 0
      ? `  nothing to change: the ${unchanged} files are this version already\n`
      : `  ${unchanged} files unchanged. Review with "git diff", then commit.\n`,
  );
}

main().catch(reportFailure);
