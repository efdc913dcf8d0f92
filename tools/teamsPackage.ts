/**
 * `npm run teams:package`: the Teams app package — manifest, icons and one localization file per language —
 * as build/teams-package/<name>-<version>.zip, written only when all of it passes the v1.30 schemas.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import JSZip from 'jszip';
import { PROJECT_ROOT } from '../src/config';
import { createTranslator } from '../src/content/i18n';
import { ContentError, formatProblem, loadContent } from '../src/content/loadContent';
import {
  buildTeamsApp,
  menuTopics,
  readTemplate,
  TEMPLATE_FILE,
  TeamsSettingsError,
  teamsSettings,
  validateTeamsApp,
  type TeamsSettings,
} from './teams/manifest';
import { readIcons } from './teams/icons';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

const { name, version } = JSON.parse(readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
let settings: TeamsSettings;
let content;
try {
  settings = teamsSettings(process.env, version);
  content = loadContent(PROJECT_ROOT);
} catch (error) {
  if (error instanceof TeamsSettingsError)
    fail(
      `${error.message}\n\nSet them in the environment, e.g. MicrosoftAppId=… TEAMS_DEVELOPER_NAME=… ` +
        'npm run teams:package (see docs/teams.md).',
    );
  if (error instanceof ContentError)
    fail(
      `The texts have errors (npm run content:check shows the same):\n${error.problems.map(formatProblem).join('\n')}`,
    );
  throw error;
}

const app = buildTeamsApp(readTemplate(PROJECT_ROOT), settings, createTranslator(content), menuTopics(content));
const problems = validateTeamsApp(app);
const { icons, problems: iconProblems } = readIcons(PROJECT_ROOT);
problems.push(...iconProblems);
if (problems.length > 0) {
  const list = problems.map((problem) => `  ${problem}`).join('\n');
  fail(
    `The Teams app package was not written: it does not pass the Teams v1.30 schemas.\n${list}\n\n` +
      `(The template is ${TEMPLATE_FILE}; the texts are in locales/*/teams.json.)`,
  );
}

const json = (value: unknown) => Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
const archive = new JSZip();
// A fixed date (the earliest a zip can hold): the same files always give the same archive.
const date = new Date(Date.UTC(1980, 0, 1));
for (const { name: file, data } of [
  { name: 'manifest.json', data: json(app.manifest) },
  ...icons,
  ...app.localizations.map(({ file, content: texts }) => ({ name: file, data: json(texts) })),
]) {
  archive.file(file, data, { date });
}
const folder = path.join(PROJECT_ROOT, 'build', 'teams-package');
mkdirSync(folder, { recursive: true });
const target = path.join(folder, `${name}-${settings.TEAMS_APP_VERSION}.zip`);
void archive
  .generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } })
  .then((zipped) => {
    writeFileSync(target, zipped);
    reportWritten();
  });

function reportWritten(): void {
  const publicUrl = process.env.BOT_PUBLIC_URL?.trim();
  const endpoint = publicUrl ? `${new URL(publicUrl).origin}/api/messages` : 'https://<your bot host>/api/messages';
  const languages = ['en (default)', ...app.localizations.map((each) => each.language)].join(', ');
  process.stdout.write(
    [
      `Teams app package: ${path.relative(process.cwd(), target) || target}`,
      `  app id ${settings.TEAMS_APP_ID}, bot id ${settings.MicrosoftAppId}, version ${settings.TEAMS_APP_VERSION}, ` +
        `languages ${languages}`,
      '',
      'Next:',
      `  1. In the Azure Bot registration, set the messaging endpoint to ${endpoint} ` +
        'and turn on the Microsoft Teams channel.',
      '  2. In Microsoft Teams, open Apps → Manage your apps → Upload an app → Upload a custom app, ' +
        'and choose the file above.',
      '     (Or, as a Teams administrator: Teams admin center → Teams apps → Manage apps → Upload new app, ' +
        'for the whole organisation.)',
      '  3. Open a chat with the bot; in a team or group chat, @mention it.',
      '',
    ].join('\n'),
  );
}
