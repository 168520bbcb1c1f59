/**
 * The NoFlo runtime: each NoFlo graph of the catalogue runs on the real `noflo` package with
 * this repository's components, and draws what the original drew.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import Delaunay from 'delaunay-fast';
import seedrandom from 'seedrandom';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { describeGraph } from '../../../shared/graph/catalogue.ts';
import { loadCatalogue } from '../../catalogue.ts';
import { runNoflo } from './run.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const catalogue = await loadCatalogue(`${ROOT}graphs`);
const pixel = (img: { data: Buffer; width: number; channels: number }, x: number, y: number) =>
  [...img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x) * img.channels + 3)];

describe('the NoFlo runtime', () => {
  it('is the noflo package, a dependency of the service', () => {
    const pkg = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8'));
    expect(pkg.dependencies.noflo).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('runs every graph whose environment is NoFlo, and /graphs types their parameters', () => {
    const noflo = [...catalogue.values()].filter((e) => e.compiled.runtime === 'noflo').map((e) => e.name);
    expect(noflo.sort()).toEqual(['canvas', 'delaunay_triangles']);
    expect(describeGraph(catalogue.get('canvas')!).inports).toMatchObject({
      color: { type: 'color', default: '#ff00ffff' },
      width: { type: 'int', default: 600, minimum: 1, maximum: 4000 },
      height: { type: 'int', default: 400 },
    });
    expect(describeGraph(catalogue.get('delaunay_triangles')!).inports).toMatchObject({ seed: { type: 'string', default: '' }, width: { type: 'int' } });
  });

  it('fills the canvas with the colour given, at the size given (canvas.json)', async () => {
    const img = await runNoflo(catalogue.get('canvas')!.compiled, { color: '#87a9a7ff', width: 30, height: 20 });
    expect([img.width, img.height]).toEqual([30, 20]);
    for (const [x, y] of [[0, 0], [29, 19], [15, 10]] as const) expect(pixel(img, x, y)).toEqual([0x87, 0xa9, 0xa7]);
    const magenta = await runNoflo(catalogue.get('canvas')!.compiled, {});
    expect([magenta.width, magenta.height, ...pixel(magenta, 5, 5)]).toEqual([600, 400, 255, 0, 255]);
  });

  it("draws the original's triangles and colours (delaunay_triangles.json, seed foobar)", async () => {
    const img = await runNoflo(catalogue.get('delaunay_triangles')!.compiled, { seed: 'foobar', width: 100, height: 100 });
    // The original's generator, hash and triangulation, computed here independently.
    const h = createHash('md5').update('foobar').digest('hex');
    const numbers = (seed: string, n: number, min: number, max: number) => {
      const rng = seedrandom(seed);
      return Array.from({ length: n }, () => min + rng() * (max - min));
    };
    const xs = numbers(h, 50, -200, 300);
    const ys = numbers(h.slice(0, 5), 50, -200, 300);
    const [rs, gs, bs] = [10, 15, 20].map((n) => numbers(h.slice(0, n), 10, 0, 255)) as [number[], number[], number[]];
    const points = xs.map((x, i) => [x, ys[i]!] as [number, number]);
    const ids = Delaunay.triangulate(points);
    const original = await sharp(`${ROOT}test/reference/expected/delaunay_triangles_foobar100.reference.png`).removeAlpha().raw().toBuffer();
    let checked = 0;
    for (let t = 0; t < ids.length; t += 3) {
      const [a, b, c] = [0, 1, 2].map((j) => points[ids[t + j]!]!);
      const [cx, cy] = [Math.round((a![0] + b![0] + c![0]) / 3), Math.round((a![1] + b![1] + c![1]) / 3)];
      if (cx < 2 || cy < 2 || cx > 97 || cy > 97) continue;
      const k = (t / 3) % 10;
      // Colour k at alpha 0.9 over #ddd.
      const expected = [rs[k]!, gs[k]!, bs[k]!].map((v) => Math.round(Math.round(v) * 0.9 + 0xdd * 0.1));
      const at = (cy * 100 + cx) * 3;
      expect([...original.subarray(at, at + 3)].map((v, i) => Math.abs(v - expected[i]!)).every((d) => d <= 2), `the original at triangle ${t / 3}`).toBe(true);
      expect(pixel(img, cx, cy).map((v, i) => Math.abs(v - expected[i]!)).every((d) => d <= 2), `ours at triangle ${t / 3}`).toBe(true);
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });
});
