import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { ROOT } from '../support/helpers';

/** The app's short name in a language, as locales/<language>/teams.json has it. */
const shortName = (language: string): string =>
  (JSON.parse(readFileSync(path.join(ROOT, 'locales', language, 'teams.json'), 'utf8')) as { name: { short: string } })
    .name.short;

const NAME = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string }).name;
/** A version of its own, so the test never touches a package someone built for real. */
const VERSION = '0.0.9';
const ZIP = path.join(ROOT, 'build', 'teams-package', `${NAME}-${VERSION}.zip`);
const ENV = {
  MicrosoftAppId: '6d7c2f4e-1b0a-4c1e-9a53-2f8d0b7e4a11',
  TEAMS_APP_VERSION: VERSION,
  TEAMS_DEVELOPER_NAME: 'Example Exams Board',
  TEAMS_PRIVACY_URL: 'https://www.example.org/privacy',
  TEAMS_TERMS_URL: 'https://www.example.org/terms',
  BOT_PUBLIC_URL: 'https://helpdesk.example.org',
};

/** `npm run teams:package` as its own process, with only these settings on top of a clean environment. */
function teamsPackage(env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(MicrosoftApp|TEAMS_|BOT_PUBLIC_URL)/.test(name)),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'tools', 'teamsPackage.ts')],
      { cwd: ROOT, env: { ...inherited, ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** Width and height from a PNG's IHDR chunk. */
function pngSize(png: Buffer): [number, number] {
  expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return [png.readUInt32BE(16), png.readUInt32BE(20)];
}

describe('npm run teams:package', () => {
  beforeEach(() => rmSync(ZIP, { force: true }));
  afterAll(() => rmSync(ZIP, { force: true }));

  it("zips the manifest, two icons and a localization file per language at the root; says what's next", async () => {
    const run = await teamsPackage(ENV);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toContain(`Teams app package: ${path.join('build', 'teams-package', `${NAME}-${VERSION}.zip`)}`);
    expect(run.stdout).toContain('Apps → Manage your apps → Upload an app');
    expect(run.stdout).toContain('https://helpdesk.example.org/api/messages');

    const archive = await JSZip.loadAsync(readFileSync(ZIP));
    expect(Object.keys(archive.files).sort()).toEqual([
      'color.png',
      'de.json',
      'es.json',
      'fr.json',
      'it.json',
      'manifest.json',
      'outline.png',
    ]);
    expect(pngSize(await archive.file('color.png')!.async('nodebuffer'))).toEqual([192, 192]);
    expect(pngSize(await archive.file('outline.png')!.async('nodebuffer'))).toEqual([32, 32]);
    const manifest = JSON.parse(await archive.file('manifest.json')!.async('string'));
    expect(manifest).toMatchObject({
      id: ENV.MicrosoftAppId,
      version: VERSION,
      bots: [{ botId: ENV.MicrosoftAppId }],
      name: { short: shortName('en') },
    });
    expect(JSON.parse(await archive.file('de.json')!.async('string'))['name.short']).toBe(shortName('de'));
  });

  it('refuses without MicrosoftAppId, naming it, and writes nothing', async () => {
    const { MicrosoftAppId: _omitted, ...withoutId } = ENV;
    const run = await teamsPackage(withoutId);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(
      "MicrosoftAppId is required: the Azure Bot registration's app id, which Teams uses as the bot's id",
    );
    expect(run.stdout).toBe('');
    expect(existsSync(ZIP)).toBe(false);

    const notGuid = await teamsPackage({ ...ENV, MicrosoftAppId: 'results-helpdesk-bot' });
    expect(notGuid.code).toBe(1);
    expect(notGuid.stderr).toContain("MicrosoftAppId must be the Azure Bot registration's app id, a GUID");
    expect(existsSync(ZIP)).toBe(false);
  });
});
