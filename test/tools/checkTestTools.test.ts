import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../support/helpers';

/**
 * The check run before the tests installs what is missing; apt's progress (hundreds of lines for Chromium) is
 * summarised in one line, and shown only when the install fails. apt-get and id are stand-ins here.
 */
describe('scripts/check-test-tools.sh', () => {
  let bin: string;
  beforeEach(() => {
    bin = mkdtempSync(path.join(tmpdir(), 'check-tools-'));
    const tool = (name: string, body: string) => {
      writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(path.join(bin, name), 0o755);
    };
    tool('id', 'echo 0');
    tool(
      'apt-get',
      [
        'if [ "$1" = update ]; then echo "Get:1 http://deb.debian.org bookworm InRelease"; exit 0; fi',
        'i=0; while [ $i -lt 120 ]; do',
        '  echo "Selecting previously unselected package lib$i."; echo "Unpacking lib$i ..."',
        '  echo "Setting up lib$i ..."; i=$((i+1)); done',
        'exit ${APT_EXIT:-0}',
      ].join('\n'),
    );
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  const run = (env: Record<string, string> = {}) =>
    spawnSync('bash', [path.join(ROOT, 'scripts', 'check-test-tools.sh')], {
      env: { PATH: `${bin}:/usr/bin:/bin`, CHROMIUM_PATH: path.join(bin, 'no-chromium'), ...env },
      encoding: 'utf8',
    });

  it('installs what is missing and says so in a line or two, without apt progress', () => {
    const result = run();
    expect(result.status).toBe(0);
    const lines = `${result.stdout}${result.stderr}`.trim().split('\n');
    expect(lines.length).toBeLessThanOrEqual(2);
    expect(lines.join('\n')).toContain('chromium');
    expect(lines.join('\n')).not.toMatch(/Unpacking|Selecting previously/);
  });

  it("shows apt's last lines when the install fails", () => {
    const result = run({ APT_EXIT: '100' });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('Setting up lib119');
    expect(result.stderr.split('\n').length).toBeLessThan(40);
  });
});
