/** gegl:grey (and imgflo:example) — linear luminance, as babl's "Y" of sRGB (D50 primaries). */
import { FROM_LINEAR, STEPS, TO_LINEAR } from '../linear-light.ts';
import type { ComponentImpl } from './types.ts';

export const LUMA = [0.2225045, 0.7168786, 0.0606169] as const;

/**
 * Each channel's share of the luminance, in linear light quantised to FROM_LINEAR's steps
 * (rounded down: the three shares of white add up to STEPS at most, LUMA's sum being 1).
 */
const SHARES = LUMA.map((l) => Uint32Array.from(TO_LINEAR, (v) => Math.floor(l * v * STEPS)));

/**
 * Each pixel's luminance, from its colour alone: in premultiplied linear light it is
 * (L · c·a) / a, so the premultiplication cancels and only a transparent pixel (0) differs.
 * One pass over the bytes, three table reads and one more a pixel: a video's every frame runs
 * through here.
 */
export const grey: ComponentImpl = (inputs) => {
  const src = inputs.input!;
  const { data, channels } = src;
  const o = Buffer.allocUnsafe(data.length);
  const [r, g, b] = SHARES as [Uint32Array, Uint32Array, Uint32Array];
  const n = data.length;
  if (channels === 3) {
    for (let i = 0; i < n; i += 3) {
      const v = FROM_LINEAR[r[data[i]!]! + g[data[i + 1]!]! + b[data[i + 2]!]!]!;
      o[i] = v;
      o[i + 1] = v;
      o[i + 2] = v;
    }
  } else {
    for (let i = 0; i < n; i += 4) {
      const a = data[i + 3]!;
      const v = a > 0 ? FROM_LINEAR[r[data[i]!]! + g[data[i + 1]!]! + b[data[i + 2]!]!]! : 0;
      o[i] = v;
      o[i + 1] = v;
      o[i + 2] = v;
      o[i + 3] = a;
    }
  }
  return { data: o, width: src.width, height: src.height, channels };
};
