/**
 * gegl:noise-cie-lch (seeded noise in CIE LCh, deterministic per position).
 */
import { linearToSrgb8, toLinear } from '../linear-light.ts';
import type { RawImage } from '../raw-image.ts';
import { LUMA } from './grey.ts';
import type { ComponentImpl } from './types.ts';

/** A hash of (seed, x, y, k) to [0, 1): the same noise for the same pixel, every time. */
function noise(seed: number, x: number, y: number, k: number): number {
  let h = (seed ^ Math.imul(x, 0x27d4eb2d) ^ Math.imul(y, 0x165667b1) ^ Math.imul(k, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

const D50 = [0.96422, 1, 0.82521] as const;
const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
const finv = (t: number) => (t ** 3 > 216 / 24389 ? t ** 3 : (116 * t - 16) / (24389 / 27));

export const noiseCieLch: ComponentImpl = (inputs, props) => {
  const src = inputs.input!;
  const lin = toLinear(src);
  const seed = Number(props.seed) | 0;
  const hold = Number(props.holdness);
  const dL = Number(props['lightness-distance']);
  const dC = Number(props['chroma-distance']);
  const dH = Number(props['hue-distance']);
  const out: RawImage = { data: Buffer.from(src.data), width: src.width, height: src.height, channels: src.channels };
  // Holdness: the more draws averaged, the duller the noise.
  const draw = (x: number, y: number, k: number) => {
    let s = 0;
    for (let j = 0; j < hold; j++) s += noise(seed, x, y, k * 8 + j);
    return (s / hold) * 2 - 1;
  };
  for (let y = 0; y < src.height; y++) {
    for (let x = 0; x < src.width; x++) {
      const p = y * src.width + x;
      const i = p * 4;
      const a = lin.data[i + 3]!;
      if (a <= 0) continue;
      const [r, g, b] = [lin.data[i]! / a, lin.data[i + 1]! / a, lin.data[i + 2]! / a];
      const X = (0.4360747 * r + 0.3850649 * g + 0.1430804 * b) / D50[0];
      const Y = LUMA[0] * r + LUMA[1] * g + LUMA[2] * b;
      const Z = (0.0139322 * r + 0.0971045 * g + 0.7141733 * b) / D50[2];
      let L = 116 * f(Y) - 16;
      const A = 500 * (f(X) - f(Y));
      const B = 200 * (f(Y) - f(Z));
      let C = Math.hypot(A, B);
      let H = Math.atan2(B, A);
      L = Math.min(100, Math.max(0, L + draw(x, y, 0) * dL));
      C = Math.max(0, C + draw(x, y, 1) * dC);
      H += (draw(x, y, 2) * dH * Math.PI) / 180;
      const fy = (L + 16) / 116;
      const fx = fy + (C * Math.cos(H)) / 500;
      const fz = fy - (C * Math.sin(H)) / 200;
      const [Xn, Yn, Zn] = [finv(fx) * D50[0], finv(fy), finv(fz) * D50[2]];
      const rgb = [
        3.1338561 * Xn - 1.6168667 * Yn - 0.4906146 * Zn,
        -0.9787684 * Xn + 1.9161415 * Yn + 0.033454 * Zn,
        0.0719453 * Xn - 0.2289914 * Yn + 1.4052427 * Zn,
      ];
      const o = p * src.channels;
      for (let c = 0; c < 3; c++) out.data[o + c] = linearToSrgb8(rgb[c]!);
    }
  }
  return out;
};

