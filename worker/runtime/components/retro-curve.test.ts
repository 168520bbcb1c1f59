/**
 * retro-curve against the original's tables, preset by preset: the regression case covers only
 * `batcave`, whose second curve is the identity; `prog` has a second curve of its own, `indie`
 * and `country` their quirks.
 */
import { describe, expect, it } from 'vitest';
import type { RawImage } from '../raw-image.ts';
import CURVES from './retro-curves.json' with { type: 'json' };
import { retroCurve } from './retro-curve.ts';

const T = CURVES.tables as Record<string, number[]>;
const pixel = (r: number, g: number, b: number): RawImage => ({ data: Buffer.from([r, g, b]), width: 1, height: 1, channels: 3 });
const run = async (preset: string, img: RawImage) => [...(await retroCurve({ input: img }, { preset })).data];
const curve = (name: string, c: 'R' | 'G' | 'B', v: number) => T[`${name}_A`]![T[`${name}_${c}`]![v]!]!;

describe('retro-curve', () => {
  it('prog: each channel through its curve, then through the shared second curve', async () => {
    for (const [r, g, b] of [[0, 0, 0], [40, 128, 250], [255, 255, 255]] as const) {
      expect(await run('prog', pixel(r, g, b))).toEqual([curve('NINE', 'R', r), curve('NINE', 'G', g), curve('NINE', 'B', b)]);
    }
    // The second curve matters: without it the answer differs somewhere.
    const firstOnly = [0, 64, 128, 192, 255].map((v) => T.NINE_R![v]);
    expect([0, 64, 128, 192, 255].map((v) => curve('NINE', 'R', v))).not.toEqual(firstOnly);
  });

  it('indie: the two lesser channels move 10 % of the way toward the greatest', async () => {
    const [r, g, b] = [curve('BRANNAN', 'R', 200), curve('BRANNAN', 'G', 100), curve('BRANNAN', 'B', 30)];
    const max = Math.max(r, g, b);
    const pull = (v: number) => (v === max ? v : v + Math.round((max - v) * 0.1));
    expect(await run('indie', pixel(200, 100, 30))).toEqual([pull(r), pull(g), pull(b)]);
  });

  it('country: contrast 1.1 and brightness −0.05 on red only, then the curves', async () => {
    const red = Math.round(((180 / 255 - 0.5) * 1.1 - 0.05 + 0.5) * 255);
    expect(await run('country', pixel(180, 90, 45))).toEqual([curve('NASHVILLE', 'R', red), curve('NASHVILLE', 'G', 90), curve('NASHVILLE', 'B', 45)]);
  });

  it('none leaves the image as it is', async () => {
    expect(await run('none', pixel(1, 2, 3))).toEqual([1, 2, 3]);
  });
});
