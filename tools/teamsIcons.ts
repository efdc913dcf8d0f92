import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from '../src/config';
import { colourIcon, outlineIcon } from './teams/icons';
import { readTemplate } from './teams/manifest';
import { encodePng } from './teams/png';

/** `npx tsx tools/teamsIcons.ts`: draws the Teams app's icons into teams/, in the manifest's accent colour. */
const { accentColor } = readTemplate(PROJECT_ROOT) as { accentColor: string };
for (const [file, image] of [['color.png', colourIcon(accentColor)], ['outline.png', outlineIcon()]] as const) {
  const target = path.join(PROJECT_ROOT, 'teams', file);
  writeFileSync(target, encodePng(image));
  process.stdout.write(`${path.relative(PROJECT_ROOT, target)}: ${image.width} × ${image.height}\n`);
}
