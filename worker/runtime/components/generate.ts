/** Sources of generative graphs: a filled canvas; a seeded Delaunay triangulation. */
import Delaunator from 'delaunator';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { bytesToHex } from '@noble/hashes/utils.js';
import { md5 } from '@noble/hashes/legacy.js';
import { parseColor } from '../../../shared/color.ts';
import { fromSharp, type RawImage } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

export const fill: ComponentImpl = (_inputs, props) => {
  const width = Number(props.width);
  const height = Number(props.height);
  const c = parseColor(String(props.color)) ?? { r: 0, g: 0, b: 0, a: 0 };
  const data = Buffer.alloc(width * height * 4);
  const a = Math.round(c.a * 255);
  for (let i = 0; i < data.length; i += 4) {
    data[i] = c.r;
    data[i + 1] = c.g;
    data[i + 2] = c.b;
    data[i + 3] = a;
  }
  return { data, width, height, channels: 4 } satisfies RawImage;
};

/**
 * As the original noflo graph: h = md5(seed); 50 points in [−200, size+200] from seedrandom(h)
 * and seedrandom(h[0:5]); 10 colours from h[0:10], h[0:15], h[0:20]; triangles over #ddd.
 */
export const delaunay: ComponentImpl = async (_inputs, props) => {
  const width = Number(props.width);
  const height = Number(props.height);
  const h = bytesToHex(md5(new TextEncoder().encode(String(props.seed))));
  const numbers = (seed: string, count: number, min: number, max: number) => {
    const rng = seedrandom(seed);
    return Array.from({ length: count }, () => min + rng() * (max - min));
  };
  const xs = numbers(h, 50, -200, width + 200);
  const ys = numbers(h.slice(0, 5), 50, -200, height + 200);
  const [rs, gs, bs] = [10, 15, 20].map((n) => numbers(h.slice(0, n), 10, 0, 255));
  const points = xs.map((x, i) => [x, ys[i]!] as [number, number]);
  const d = Delaunator.from(points);
  const shapes: string[] = [];
  for (let t = 0; t < d.triangles.length; t += 3) {
    const k = t / 3;
    const pts = [0, 1, 2].map((j) => points[d.triangles[t + j]!]!.map((v) => v.toFixed(2)).join(',')).join(' ');
    const color = `rgba(${Math.round(rs![k % 10]!)},${Math.round(gs![k % 10]!)},${Math.round(bs![k % 10]!)},0.9)`;
    shapes.push(`<polygon points="${pts}" fill="${color}"/>`);
  }
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#ddd"/>${shapes.join('')}</svg>`;
  return fromSharp(sharp(Buffer.from(svg)));
};
