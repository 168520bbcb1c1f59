/** gegl:opacity — alpha times a value (clamped to 0–1 when stored). */
import { withAlpha } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

export const opacity: ComponentImpl = (inputs, props) => {
  const value = Number(props.value);
  const src = inputs.input!;
  if (value === 1) return src;
  const out = withAlpha({ ...src, data: Buffer.from(src.data) });
  const data = out.channels === src.channels ? Buffer.from(out.data) : out.data;
  for (let i = 3; i < data.length; i += 4) data[i] = Math.round(Math.min(255, Math.max(0, data[i]! * value)));
  return { ...out, data };
};
