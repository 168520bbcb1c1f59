/**
 * What the NoFlo canvas components pass around, and the drawing of it: a canvas with its
 * display list becomes an SVG, rasterised by librsvg (through sharp) into the graph's image.
 */
import sharp from 'sharp';
import { fromSharp, type RawImage } from '../raw-image.ts';

export interface Point {
  type: 'point';
  x: number;
  y: number;
}

/** A canvas as canvas/Draw sends it: its size and the commands drawn on it, in order. */
export interface Canvas {
  width: number;
  height: number;
  commands: unknown[];
}

const num = (v: unknown) => {
  const n = Number(v);
  return Number.isFinite(n) ? +n.toFixed(3) : 0;
};
const escape = (s: string) => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Nested arrays of anything, flattened. */
const flat = (v: unknown): unknown[] => (Array.isArray(v) ? v.flatMap(flat) : [v]);

function shape(item: unknown, fill: string): string {
  const s = item as { type?: string; items?: Point[]; point?: Point; width?: unknown; height?: unknown };
  if (s?.type === 'path' && Array.isArray(s.items)) {
    return `<polygon points="${s.items.map((p) => `${num(p.x)},${num(p.y)}`).join(' ')}" fill="${fill}"/>`;
  }
  if (s?.type === 'rectangle' && s.point) {
    return `<rect x="${num(s.point.x)}" y="${num(s.point.y)}" width="${Math.max(0, num(s.width))}" height="${Math.max(0, num(s.height))}" fill="${fill}"/>`;
  }
  return '';
}

export function toSvg(canvas: Canvas): string {
  const parts: string[] = [];
  for (const command of flat(canvas.commands)) {
    const c = command as { type?: string; items?: unknown; fillstyle?: unknown };
    if (c?.type !== 'fill') continue;
    const fill = escape(typeof c.fillstyle === 'string' ? c.fillstyle : '#000');
    for (const item of flat(c.items)) parts.push(shape(item, fill));
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${canvas.width}" height="${canvas.height}">${parts.join('')}</svg>`;
}

export function rasterise(canvas: Canvas): Promise<RawImage> {
  return fromSharp(sharp(Buffer.from(toSvg(canvas))).ensureAlpha());
}
