import type { Image } from './png';

type Point = readonly [number, number];
type Rgba = readonly [number, number, number, number];

const WHITE: Rgba = [255, 255, 255, 255];
const TRANSPARENT: Rgba = [0, 0, 0, 0];
/** Samples per pixel along each axis: smooth edges without any randomness. */
const SUPERSAMPLING = 4;

/**
 * The icon's shapes on a 32 × 32 grid: a speech bubble with a tail at the bottom left, and a tick inside it —
 * a chat that sorts the problem out.
 */
const BUBBLE = bubble({ left: 4, top: 5, right: 28, bottom: 23, radius: 5, tail: [[9, 23], [8, 28.5], [15, 23]] });
const TICK: Point[] = [
  [10.5, 14],
  [14.5, 18],
  [21.5, 10.5],
];

/** 192 × 192, full colour: a white bubble and a tick in the app's accent colour (#rrggbb) on that colour. */
export function colourIcon(accentColour: string): Image {
  const accent = hexColour(accentColour);
  const scale = 192 / 32;
  // The symbol fills the middle two thirds, with a margin of background around it.
  const toGrid = (point: Point): Point => [(point[0] / scale - 16) * 1.5 + 16, (point[1] / scale - 16) * 1.5 + 16];
  return draw(192, 192, (point) => {
    const onGrid = toGrid(point);
    if (distanceToPolyline(onGrid, TICK) <= 1.4) return accent;
    return isInside(onGrid, BUBBLE) ? WHITE : accent;
  });
}

/** 32 × 32, white on transparent: the bubble's outline and the tick, as Teams wants for its app bar. */
export function outlineIcon(): Image {
  return draw(32, 32, (point) => {
    const inside = signedDistanceToPolygon(point, BUBBLE);
    const onOutline = inside <= 0 && inside >= -2;
    return onOutline || distanceToPolyline(point, TICK) <= 1 ? WHITE : TRANSPARENT;
  });
}

/** Renders `colourAt` (given a point in pixel units) with supersampling; edge pixels get the average. */
function draw(width: number, height: number, colourAt: (point: Point) => Rgba): Image {
  const rgba = new Uint8Array(width * height * 4);
  const samples = SUPERSAMPLING * SUPERSAMPLING;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SUPERSAMPLING; sy++) {
        for (let sx = 0; sx < SUPERSAMPLING; sx++) {
          const colour = colourAt([x + (sx + 0.5) / SUPERSAMPLING, y + (sy + 0.5) / SUPERSAMPLING]);
          // Premultiplied, so transparent samples do not darken the edges.
          r += colour[0] * colour[3];
          g += colour[1] * colour[3];
          b += colour[2] * colour[3];
          a += colour[3];
        }
      }
      const offset = (y * width + x) * 4;
      rgba[offset] = a ? Math.round(r / a) : 0;
      rgba[offset + 1] = a ? Math.round(g / a) : 0;
      rgba[offset + 2] = a ? Math.round(b / a) : 0;
      rgba[offset + 3] = Math.round(a / samples);
    }
  }
  return { width, height, rgba };
}

/** A rounded rectangle as a polygon (corners as arcs), with a tail cut into its bottom edge. */
function bubble(box: { left: number; top: number; right: number; bottom: number; radius: number; tail: Point[] }): Point[] {
  const { left, top, right, bottom, radius } = box;
  const corner = (cx: number, cy: number, from: number): Point[] =>
    Array.from({ length: 9 }, (_, step) => {
      const angle = ((from + step * 11.25) * Math.PI) / 180;
      return [cx + radius * Math.cos(angle), cy + radius * Math.sin(angle)] as Point;
    });
  // Clockwise on screen (y down): top left, top right, bottom right, the tail, bottom left.
  return [
    ...corner(left + radius, top + radius, 180),
    ...corner(right - radius, top + radius, 270),
    ...corner(right - radius, bottom - radius, 0),
    ...[...box.tail].reverse(),
    ...corner(left + radius, bottom - radius, 90),
  ];
}

/** Negative inside the polygon, positive outside; the magnitude is the distance to its edge. */
function signedDistanceToPolygon(point: Point, polygon: Point[]): number {
  let nearest = Infinity;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) nearest = Math.min(nearest, distanceToSegment(point, polygon[j]!, polygon[i]!));
  return isInside(point, polygon) ? -nearest : nearest;
}

/** Even-odd rule: a point is inside when a ray from it to the right crosses the edges an odd number of times. */
function isInside(point: Point, polygon: Point[]): boolean {
  let inside = false;
  for (let i = 0, j = polygon.length - 1; i < polygon.length; j = i++) {
    const a = polygon[j]!;
    const b = polygon[i]!;
    if (a[1] > point[1] !== b[1] > point[1] && point[0] < ((b[0] - a[0]) * (point[1] - a[1])) / (b[1] - a[1]) + a[0]) inside = !inside;
  }
  return inside;
}

function distanceToPolyline(point: Point, line: Point[]): number {
  let nearest = Infinity;
  for (let i = 1; i < line.length; i++) nearest = Math.min(nearest, distanceToSegment(point, line[i - 1]!, line[i]!));
  return nearest;
}

// Indexes rather than destructuring: this runs for every sample of every pixel.
function distanceToSegment(p: Point, a: Point, b: Point): number {
  const dx = b[0] - a[0];
  const dy = b[1] - a[1];
  const t = Math.max(0, Math.min(1, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy || 1)));
  const ex = p[0] - a[0] - t * dx;
  const ey = p[1] - a[1] - t * dy;
  return Math.sqrt(ex * ex + ey * ey);
}

function hexColour(hex: string): Rgba {
  const value = Number.parseInt(hex.slice(1), 16);
  return [(value >> 16) & 255, (value >> 8) & 255, value & 255, 255];
}
