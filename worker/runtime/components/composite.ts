/**
 * SVG 1.2 compositing of `aux` (source, on top) onto `input` (destination), premultiplied, in
 * linear light or, with `srgb`, in sRGB gamma. Without an aux the input passes through.
 */
import type { PropValue } from '../../../shared/components/types.ts';
import { fromFloat, toFloat, type Space } from '../linear-light.ts';
import type { RawImage } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

/** Premultiplied colour of one channel from source (s, sa) and destination (d, da). */
type Blend = (s: number, sa: number, d: number, da: number) => number;

const BLENDS: Record<'srcOver' | 'screen' | 'colorDodge', Blend> = {
  srcOver: (s, sa, d) => s + d * (1 - sa),
  screen: (s, _sa, d) => s + d - s * d,
  colorDodge: (s, sa, d, da) => {
    if (s * da + d * sa >= sa * da) return sa * da + s * (1 - da) + d * (1 - sa);
    const inv = sa > 0 ? 1 - s / sa : 1;
    return (inv > 0 ? (d * sa) / inv : sa * da) + s * (1 - da) + d * (1 - sa);
  },
};

function composite(blend: Blend, input: RawImage, aux: RawImage | undefined, props: Readonly<Record<string, PropValue>>): RawImage {
  if (!aux) return input;
  const space: Space = props.srgb === true ? 'gamma' : 'linear';
  const dst = toFloat(input, space);
  const src = toFloat(aux, space);
  const out = new Float32Array(dst.data.length);
  for (let y = 0; y < dst.height; y++) {
    for (let x = 0; x < dst.width; x++) {
      const i = (y * dst.width + x) * 4;
      const inside = x < src.width && y < src.height;
      const j = (y * src.width + x) * 4;
      const sa = inside ? src.data[j + 3]! : 0;
      const da = dst.data[i + 3]!;
      for (let c = 0; c < 3; c++) out[i + c] = blend(inside ? src.data[j + c]! : 0, sa, dst.data[i + c]!, da);
      out[i + 3] = sa + da - sa * da;
    }
  }
  return fromFloat({ data: out, width: dst.width, height: dst.height, alpha: input.channels === 4 || aux.channels === 4 }, space);
}

export const srcOver: ComponentImpl = (i, p) => composite(BLENDS.srcOver, i.input!, i.aux, p);
export const screen: ComponentImpl = (i, p) => composite(BLENDS.screen, i.input!, i.aux, p);
export const colorDodge: ComponentImpl = (i, p) => composite(BLENDS.colorDodge, i.input!, i.aux, p);
