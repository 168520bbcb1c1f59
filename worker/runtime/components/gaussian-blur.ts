/** gegl:gaussian-blur — per-axis σ, in linear premultiplied light, edges per abyss policy. */
import { gaussianBlur as blur, type Abyss } from '../gaussian.ts';
import { fromLinear, toLinear } from '../linear-light.ts';
import type { ComponentImpl } from './types.ts';

export const gaussianBlur: ComponentImpl = (inputs, props) => {
  const src = inputs.input!;
  const sx = Number(props['std-dev-x']);
  const sy = Number(props['std-dev-y']);
  if (sx === 0 && sy === 0) return src;
  return fromLinear(blur(toLinear(src), sx, sy, props['abyss-policy'] as Abyss));
};
