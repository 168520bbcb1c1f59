/**
 * gegl:gradient-map — a 2048-entry table of five (colour, stop) pairs, looked up by linear
 * luminance, or by gamma luma with colours interpolated in sRGB when `srgb` is set.
 */
import { parseColor } from '../../../shared/color.ts';
import { linearToSrgb8, toLinear } from '../linear-light.ts';
import type { RawImage } from '../raw-image.ts';
import { LUMA } from './grey.ts';
import type { ComponentImpl } from './types.ts';

const SIZE = 2048;
const srgbToLinear = (c: number) => (c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);

export const gradientMap: ComponentImpl = (inputs, props) => {
  const src = inputs.input!;
  const srgb = props.srgb === true;
  const colors = [1, 2, 3, 4, 5].map((n) => {
    const c = parseColor(String(props[`color${n}`])) ?? { r: 0, g: 0, b: 0, a: 1 };
    const ch = [c.r / 255, c.g / 255, c.b / 255].map((v) => (srgb ? v : srgbToLinear(v)));
    return [...ch, c.a];
  });
  const stops = [1, 2, 3, 4, 5].map((n) => Number(props[`stop${n}`]));
  // The table, advancing at most one stop per entry as GEGL did.
  const lut = new Float32Array(SIZE * 4);
  let s = 0;
  for (let i = 0; i < SIZE; i++) {
    const pos = i / (SIZE - 1);
    if (s < 4 && pos > stops[s + 1]!) s++;
    const a = colors[s]!;
    const b = colors[Math.min(4, s + 1)]!;
    const span = stops[Math.min(4, s + 1)]! - stops[s]!;
    const t = s >= 4 || span <= 0 ? (pos >= stops[Math.min(4, s + 1)]! ? 1 : 0) : Math.min(1, Math.max(0, (pos - stops[s]!) / span));
    for (let c = 0; c < 4; c++) lut[i * 4 + c] = a[c]! + (b[c]! - a[c]!) * t;
  }
  const lin = toLinear(src);
  const n = src.width * src.height;
  const out: RawImage = { data: Buffer.alloc(n * 4), width: src.width, height: src.height, channels: 4 };
  for (let p = 0, i = 0; p < n; p++, i += 4) {
    const alpha = lin.data[i + 3]!;
    let y = alpha > 0 ? (LUMA[0] * lin.data[i]! + LUMA[1] * lin.data[i + 1]! + LUMA[2] * lin.data[i + 2]!) / alpha : 0;
    if (srgb) y = linearToSrgb8(y) / 255;
    const k = Math.min(SIZE - 1, Math.max(0, Math.floor(y * (SIZE - 1)))) * 4;
    for (let c = 0; c < 3; c++) {
      const v = lut[k + c]!;
      out.data[i + c] = srgb ? Math.round(Math.min(1, Math.max(0, v)) * 255) : linearToSrgb8(v);
    }
    out.data[i + 3] = Math.round(Math.min(1, Math.max(0, lut[k + 3]! * alpha)) * 255);
  }
  return out;
};
