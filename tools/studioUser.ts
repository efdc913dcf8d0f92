import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../src/config';
import { ROLES, saveUser, type Role } from '../src/studio/studio';
import { reportFailure, withStudioStore } from './studioStore';

/**
 * `npm run studio:user -- add <email> --role editor|publisher --password-stdin`: adds a studio account (or
 * changes its role and password) where the bot keeps the studio's data: Redis when REDIS_URL is set, else
 * STUDIO_DATA_DIR. The password is read from standard input, never from the command line.
 */
async function main(): Promise<void> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { role: { type: 'string' }, 'password-stdin': { type: 'boolean' } },
  });
  const [command, email] = positionals;
  const usage = 'usage: npm run studio:user -- add <email> --role editor|publisher --password-stdin';
  if (command !== 'add' || !email || !/^[^\s@]+@[^\s@]+$/.test(email)) throw new ConfigError(usage);
  if (!ROLES.includes(values.role as Role)) throw new ConfigError(`--role must be editor or publisher\n${usage}`);
  if (!values['password-stdin']) throw new ConfigError(`give the password on standard input\n${usage}`);
  const password = (await text(process.stdin)).replace(/\r?\n$/, '');
  if (password.length < 12) throw new ConfigError('the password needs at least 12 characters');
  await withStudioStore(loadConfig(), async (store) => {
    await saveUser(store, email, values.role as Role, password, 'studio:user command');
    process.stdout.write(`${email.toLowerCase()} can sign in to the studio as ${values.role}.\n`);
  });
}

main().catch(reportFailure);
