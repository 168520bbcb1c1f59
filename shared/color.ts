/**
 * CSS colours (#rgb, #rgba, #rrggbb, #rrggbbaa, rgb(), rgba() with numbers or percentages,
 * comma or space syntax, names, `transparent`) in one canonical form. Parsed by hand, in one
 * pass over at most MAX_COLOR_LENGTH characters: no input can make it backtrack.
 */
import names from 'color-name';
import { scanNumber } from './scan.ts';

export interface Rgba {
  r: number;
  g: number;
  b: number;
  /** 0–1 */
  a: number;
}

/** No colour of the accepted syntax is longer; a longer value is refused before parsing. */
export const MAX_COLOR_LENGTH = 64;

const HEX = /^[0-9a-f]+$/;
const clamp = (n: number, hi: number) => Math.min(hi, Math.max(0, n));

export function parseColor(text: string): Rgba | null {
  if (text.length > MAX_COLOR_LENGTH) return null;
  const s = text.trim().toLowerCase();
  if (s.startsWith('#')) return parseHex(s.slice(1));
  if (s === 'transparent') return { r: 0, g: 0, b: 0, a: 0 };
  const named = (names as Record<string, [number, number, number] | undefined>)[s];
  if (named && Object.hasOwn(names, s)) return { r: named[0], g: named[1], b: named[2], a: 1 };
  const open = s.indexOf('(');
  if (open < 0 || !s.endsWith(')')) return null;
  const fn = s.slice(0, open).trim();
  if (fn !== 'rgb' && fn !== 'rgba') return null;
  return parseRgbArgs(s.slice(open + 1, -1));
}

function parseHex(h: string): Rgba | null {
  if (!HEX.test(h) || ![3, 4, 6, 8].includes(h.length)) return null;
  const short = h.length <= 4;
  const part = (i: number) => (short ? parseInt(h[i]! + h[i]!, 16) : parseInt(h.slice(i * 2, i * 2 + 2), 16));
  const count = short ? h.length : h.length / 2;
  return { r: part(0), g: part(1), b: part(2), a: count === 4 ? part(3) / 255 : 1 };
}

/** `r, g, b[, a]` or `r g b[ / a]`; channels all numbers or all percentages. */
function parseRgbArgs(args: string): Rgba | null {
  let parts: string[];
  if (args.includes(',')) {
    parts = args.split(',').map((p) => p.trim());
  } else {
    const [channels, alpha, ...rest] = args.split('/');
    if (rest.length > 0) return null;
    parts = channels!.trim().split(/\s+/);
    if (alpha !== undefined) parts.push(alpha.trim());
  }
  if (parts.length !== 3 && parts.length !== 4) return null;
  const percent = parts[0]!.endsWith('%');
  const rgb: number[] = [];
  for (const p of parts.slice(0, 3)) {
    if (p.endsWith('%') !== percent) return null;
    const n = scanNumber(percent ? p.slice(0, -1) : p);
    if (n === null) return null;
    rgb.push(Math.round(clamp(percent ? (n * 255) / 100 : n, 255)));
  }
  let a = 1;
  if (parts.length === 4) {
    const p = parts[3]!;
    const n = scanNumber(p.endsWith('%') ? p.slice(0, -1) : p);
    if (n === null) return null;
    a = clamp(p.endsWith('%') ? n / 100 : n, 1);
  }
  return { r: rgb[0]!, g: rgb[1]!, b: rgb[2]!, a };
}

/** `#rrggbbaa`, the form GEGL gave colour defaults in. */
export function canonicalColor(c: Rgba): string {
  const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');
  return `#${hex(c.r)}${hex(c.g)}${hex(c.b)}${hex(c.a * 255)}`;
}
