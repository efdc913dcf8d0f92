import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { readIcons } from '../../tools/teams/icons';
import { ROOT } from '../support/helpers';

interface Picture {
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  /** Red, green, blue and alpha of each pixel, row by row. */
  rgba: Uint8Array;
}

/** An 8-bit RGB or RGBA PNG, read here independently of the packaging code; any of the five row filters. */
function readPng(file: string): Picture {
  const png = readFileSync(path.join(ROOT, 'teams', file));
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.toString('latin1', 12, 16)).toBe('IHDR');
  const [width, height, bitDepth, colourType] = [png.readUInt32BE(16), png.readUInt32BE(20), png[24]!, png[25]!];
  const data: Buffer[] = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) {
    const length = png.readUInt32BE(at);
    if (png.toString('latin1', at + 4, at + 8) === 'IDAT') data.push(png.subarray(at + 8, at + 8 + length));
  }
  const channels = colourType === 6 ? 4 : 3;
  const stride = width * channels;
  const rows = inflateSync(Buffer.concat(data));
  const raw = new Uint8Array(stride * height);
  for (let y = 0; y < height; y++) {
    const filter = rows[y * (stride + 1)]!;
    for (let x = 0; x < stride; x++) {
      const left = x >= channels ? raw[y * stride + x - channels]! : 0;
      const up = y > 0 ? raw[(y - 1) * stride + x]! : 0;
      const upLeft = y > 0 && x >= channels ? raw[(y - 1) * stride + x - channels]! : 0;
      const guess = left + up - upLeft;
      const paeth = [left, up, upLeft].sort((a, b) => Math.abs(guess - a) - Math.abs(guess - b))[0]!;
      const predictor = [0, left, up, (left + up) >> 1, paeth][filter]!;
      raw[y * stride + x] = (rows[y * (stride + 1) + 1 + x]! + predictor) & 255;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let pixel = 0; pixel < width * height; pixel++) {
    rgba.set(raw.subarray(pixel * channels, pixel * channels + 3), pixel * 4);
    rgba[pixel * 4 + 3] = channels === 4 ? raw[pixel * channels + 3]! : 255;
  }
  return { width, height, bitDepth, colourType, rgba };
}

describe('the Teams app icons in teams/', () => {
  it('are a full-colour 192 × 192 icon and a white-on-transparent 32 × 32 outline, as Teams requires', () => {
    const colour = readPng('color.png');
    const outline = readPng('outline.png');
    expect([colour.width, colour.height, outline.width, outline.height]).toEqual([192, 192, 32, 32]);
    expect([colour.bitDepth, outline.bitDepth]).toEqual([8, 8]);
    expect([2, 6]).toContain(colour.colourType);
    expect(outline.colourType).toBe(6);
    const opacities = (image: Picture) => new Set(image.rgba.filter((_, index) => index % 4 === 3));
    expect(opacities(colour)).toEqual(new Set([255]));
    const pixel = (at: number) => [...outline.rgba.subarray(at * 4, at * 4 + 4)];
    const pixels = Array.from({ length: outline.rgba.length / 4 }, (_, at) => pixel(at));
    const visible = pixels.filter(([, , , alpha]) => alpha! > 0);
    expect(visible.length).toBeGreaterThan(100);
    expect(visible.filter(([red, green, blue]) => red !== 255 || green !== 255 || blue !== 255)).toEqual([]);
    expect(opacities(outline)).toContain(0);
  });

  it('are checked before packaging: missing, not a PNG, the wrong size, an outline without transparency', () => {
    const root = mkdtempSync(path.join(tmpdir(), 'helpdesk-icons-'));
    try {
      mkdirSync(path.join(root, 'teams'));
      expect(readIcons(root).problems).toEqual([
        `${path.join('teams', 'color.png')} is missing; replace it as described under "Icons" in docs/teams.md`,
        `${path.join('teams', 'outline.png')} is missing; replace it as described under "Icons" in docs/teams.md`,
      ]);
      cpSync(path.join(ROOT, 'teams', 'color.png'), path.join(root, 'teams', 'outline.png'));
      cpSync(path.join(ROOT, 'teams', 'outline.png'), path.join(root, 'teams', 'color.png'));
      expect(readIcons(root).problems).toEqual([
        expect.stringContaining(`${path.join('teams', 'color.png')} must be 192 × 192 pixels, not 32 × 32`),
        expect.stringContaining(`${path.join('teams', 'outline.png')} must be 32 × 32 pixels, not 192 × 192`),
      ]);
      const outline = readFileSync(path.join(ROOT, 'teams', 'outline.png'));
      outline[25] = 2; // colour type RGB: no alpha channel
      writeFileSync(path.join(root, 'teams', 'outline.png'), outline);
      writeFileSync(path.join(root, 'teams', 'color.png'), 'not an image');
      expect(readIcons(root).problems).toEqual([
        `${path.join('teams', 'color.png')} is not a PNG; replace it as described under "Icons" in docs/teams.md`,
        expect.stringContaining(`${path.join('teams', 'outline.png')} must have a transparent background (RGBA)`),
      ]);
      const committed = (name: string) => ({ name, data: readFileSync(path.join(ROOT, 'teams', name)) });
      expect(readIcons(ROOT)).toEqual({ icons: [committed('color.png'), committed('outline.png')], problems: [] });
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
