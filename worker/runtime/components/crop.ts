/**
 * gegl:crop — the rectangle x, y, width, height of the input. Where it reaches beyond the
 * image the pixels are transparent (sharp's extract would refuse), so the result gains alpha.
 */
import type { RawImage } from '../raw-image.ts';
import { withAlpha } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

export const crop: ComponentImpl = (inputs, props) => {
  const src = inputs.input!;
  const x = Math.round(Number(props.x));
  const y = Math.round(Number(props.y));
  const width = Math.max(1, Math.round(Number(props.width)));
  const height = Math.max(1, Math.round(Number(props.height)));
  const inside = x >= 0 && y >= 0 && x + width <= src.width && y + height <= src.height;
  const img = inside ? src : withAlpha(src);
  const ch = img.channels;
  const out: RawImage = { data: Buffer.alloc(width * height * ch), width, height, channels: ch };
  const x0 = Math.max(0, x);
  const x1 = Math.min(src.width, x + width);
  if (x1 <= x0) return out;
  for (let row = Math.max(0, y); row < Math.min(src.height, y + height); row++) {
    const from = (row * src.width + x0) * ch;
    img.data.copy(out.data, ((row - y) * width + (x0 - x)) * ch, from, from + (x1 - x0) * ch);
  }
  return out;
};
