/**
 * 8-bit sRGB ⇄ linear-light premultiplied RGBA float, where GEGL did its maths (blur, scaling,
 * compositing). Lookup tables make the forward conversion one read per sample.
 */
import type { RawImage } from './raw-image.ts';

/** An 8-bit sRGB value's linear light (0–1). */
export const TO_LINEAR = new Float32Array(256);
for (let i = 0; i < 256; i++) {
  const c = i / 255;
  TO_LINEAR[i] = c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

function exactLinearToSrgb8(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  const c = v <= 0.0031308 ? v * 12.92 : 1.055 * v ** (1 / 2.4) - 0.055;
  return Math.round(c * 255);
}

// Linear values quantised to 16 bits, then a table: one read per sample instead of a power.
export const STEPS = 65535;
/** A linear value (0–1) quantised to `STEPS`, to its 8-bit sRGB value. */
export const FROM_LINEAR = new Uint8Array(STEPS + 1);
for (let i = 0; i <= STEPS; i++) FROM_LINEAR[i] = exactLinearToSrgb8(i / STEPS);

export function linearToSrgb8(v: number): number {
  if (!(v > 0)) return 0;
  if (v >= 1) return 255;
  return FROM_LINEAR[(v * STEPS + 0.5) | 0]!;
}

export interface LinearImage {
  /** Premultiplied linear RGBA. */
  data: Float32Array;
  width: number;
  height: number;
  /** Whether the source had an alpha channel (kept on the way back). */
  alpha: boolean;
}

export type Space = 'linear' | 'gamma';

const TO_GAMMA = new Float32Array(256).map((_, i) => i / 255);

/** Premultiplied RGBA float in linear light or in sRGB gamma (what GEGL's `srgb` flags chose). */
export function toFloat(img: RawImage, space: Space): LinearImage {
  return space === 'linear' ? toLinear(img) : convertIn(img, TO_GAMMA);
}

export function fromFloat(img: LinearImage, space: Space): RawImage {
  return space === 'linear' ? fromLinear(img) : convertOut(img, (v) => (v <= 0 ? 0 : v >= 1 ? 255 : Math.round(v * 255)));
}

export function toLinear(img: RawImage): LinearImage {
  return convertIn(img, TO_LINEAR);
}

function convertIn(img: RawImage, table: Float32Array): LinearImage {
  const n = img.width * img.height;
  const out = new Float32Array(n * 4);
  const { data, channels } = img;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += channels, o += 4) {
    const a = channels === 4 ? data[i + 3]! / 255 : 1;
    out[o] = table[data[i]!]! * a;
    out[o + 1] = table[data[i + 1]!]! * a;
    out[o + 2] = table[data[i + 2]!]! * a;
    out[o + 3] = a;
  }
  return { data: out, width: img.width, height: img.height, alpha: channels === 4 };
}

export function fromLinear(img: LinearImage): RawImage {
  return convertOut(img, linearToSrgb8);
}

function convertOut(img: LinearImage, encode: (v: number) => number): RawImage {
  const n = img.width * img.height;
  const channels = img.alpha ? 4 : 3;
  const out = Buffer.alloc(n * channels);
  const { data } = img;
  for (let p = 0, i = 0, o = 0; p < n; p++, i += 4, o += channels) {
    const a = data[i + 3]!;
    const inv = a > 0 ? 1 / a : 0;
    out[o] = encode(data[i]! * inv);
    out[o + 1] = encode(data[i + 1]! * inv);
    out[o + 2] = encode(data[i + 2]! * inv);
    if (img.alpha) out[o + 3] = Math.round(Math.min(1, Math.max(0, a)) * 255);
  }
  return { data: out, width: img.width, height: img.height, channels };
}
