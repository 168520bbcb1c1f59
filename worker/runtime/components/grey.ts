/** gegl:grey (and imgflo:example) — linear luminance, as babl's "Y" of sRGB (D50 primaries). */
import { linearToSrgb8, toLinear } from '../linear-light.ts';
import type { RawImage } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

export const LUMA = [0.2225045, 0.7168786, 0.0606169] as const;

export const grey: ComponentImpl = (inputs) => {
  const src = inputs.input!;
  const lin = toLinear(src);
  const out: RawImage = { data: Buffer.alloc(src.width * src.height * src.channels), width: src.width, height: src.height, channels: src.channels };
  for (let p = 0, i = 0, o = 0; p < src.width * src.height; p++, i += 4, o += src.channels) {
    const a = lin.data[i + 3]!;
    const y = a > 0 ? (LUMA[0] * lin.data[i]! + LUMA[1] * lin.data[i + 1]! + LUMA[2] * lin.data[i + 2]!) / a : 0;
    const v = linearToSrgb8(y);
    out.data[o] = out.data[o + 1] = out.data[o + 2] = v;
    if (src.channels === 4) out.data[o + 3] = src.data[o + 3]!;
  }
  return out;
};
