import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The two icons Teams needs, committed in teams/, and the side of each square in pixels. */
export const ICON_SIZES = { 'color.png': 192, 'outline.png': 32 } as const;

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const RGBA = 6;
const REPLACE = 'replace it as described under "Icons" in docs/teams.md';

export interface Icon {
  name: string;
  data: Buffer;
}

/** Width, height and colour type from a PNG's IHDR chunk. */
export function pngHeader(png: Buffer): { width: number; height: number; colourType: number } {
  const isPng = png.length >= 33 && png.subarray(0, 8).equals(SIGNATURE) && png.toString('latin1', 12, 16) === 'IHDR';
  if (!isPng) throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20), colourType: png[25]! };
}

/** The icons in `root`/teams/, and each way they fall short of what Teams accepts. */
export function readIcons(root: string): { icons: Icon[]; problems: string[] } {
  const icons: Icon[] = [];
  const problems: string[] = [];
  for (const [file, size] of Object.entries(ICON_SIZES)) {
    const where = path.join('teams', file);
    if (!existsSync(path.join(root, where))) {
      problems.push(`${where} is missing; ${REPLACE}`);
      continue;
    }
    const data = readFileSync(path.join(root, where));
    let header;
    try {
      header = pngHeader(data);
    } catch {
      problems.push(`${where} is not a PNG; ${REPLACE}`);
      continue;
    }
    if (header.width !== size || header.height !== size) {
      problems.push(`${where} must be ${size} × ${size} pixels, not ${header.width} × ${header.height}; ${REPLACE}`);
    }
    // The outline icon is white on transparent, so it needs an alpha channel.
    if (file === 'outline.png' && header.colourType !== RGBA) {
      problems.push(`${where} must have a transparent background (RGBA); ${REPLACE}`);
    }
    icons.push({ name: file, data });
  }
  return { icons, problems };
}
