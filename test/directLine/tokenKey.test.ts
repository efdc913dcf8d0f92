import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createWebChatChannel } from '../../src/directLine/channel';
import { DirectLineTokens } from '../../src/directLine/tokens';
import { loadConfig } from '../../src/config';
import { tempFolder } from '../support/tempFolders';

async function channel(env: Record<string, string>, tokenKeyFile: string) {
  const config = loadConfig(env);
  const { directLine } = await createWebChatChannel({
    webChat: { ...config.webChat, tokenKeyFile },
    deliver: async () => undefined,
    serviceUrl: () => 'http://127.0.0.1:1/',
  });
  return directLine!;
}

describe('the local Direct Line token key', () => {
  it('is made once in the data folder (readable by its user only) and used again on the next start', async () => {
    const file = path.join(tempFolder('helpdesk-data-'), 'data', 'direct-line-token-key');
    const first = await channel({}, file);
    expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { token } = first.issue();
    const second = await channel({}, file);
    expect(second.tokens.verify(token)).toBeDefined();
    await Promise.all([first.close(), second.close()]);
  });

  it('DIRECT_LINE_TOKEN_KEY wins over the data folder, which then stays untouched', async () => {
    const key = 'k'.repeat(40);
    const file = path.join(tempFolder('helpdesk-data-'), 'data', 'direct-line-token-key');
    const directLine = await channel({ DIRECT_LINE_TOKEN_KEY: key }, file);
    expect(existsSync(file)).toBe(false);
    expect(new DirectLineTokens(key).verify(directLine.issue().token)).toBeDefined();
    await directLine.close();
  });

  it('refuses to start on a kept key that is not one, naming the file', async () => {
    const file = path.join(tempFolder('helpdesk-data-'), 'direct-line-token-key');
    writeFileSync(file, 'short\n');
    await expect(channel({}, file)).rejects.toThrow(file);
    expect(readFileSync(file, 'utf8')).toBe('short\n');
  });

  it('takes the data folder from DATA_DIR', () => {
    expect(loadConfig({ DATA_DIR: '/srv/helpdesk' }).dataDir).toBe(path.resolve('/srv/helpdesk'));
  });
});
