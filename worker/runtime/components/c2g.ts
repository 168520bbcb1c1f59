/**
 * gegl:c2g — STRESS (spatio-temporal retinex envelope with stochastic sampling), as GEGL
 * computes it: for each pixel, `iterations` sprays of `samples` points within `radius` (angles
 * stepping by the golden angle, radii drawn as u² × radius, samples outside the image or fully
 * transparent drawn again) give a min/max envelope per channel; the grey is the pixel's
 * distance from the min envelope over the sum of its distances from both, in linear light (the
 * formula of GEGL's c2g when the original ran; today's GEGL calls it enhance-shadows). GEGL's
 * random radii change from run to run; here they come from a seed made from the input's bytes
 * and the parameters (or the one given), so one URL always gives the same bytes.
 * The cost is samples × iterations per pixel (at most ATTEMPTS draws each): shared/components
 * bound it before the work, and the processing deadline bounds the rest.
 */
import { createHash } from 'node:crypto';
import seedrandom from 'seedrandom';
import { linearToSrgb8, toLinear } from '../linear-light.ts';
import type { RawImage } from '../raw-image.ts';
import type { ComponentImpl } from './types.ts';

const ANGLES = 95273; // table sizes are primes, so angle and radius rarely repeat together
const RADII = 29537;
const RGAMMA = 2;
/** The most draws one sample may take (outside the image, or transparent). */
const ATTEMPTS = 64;
const GOLDEN_ANGLE = Math.PI * (3 - Math.sqrt(5));

const COS = new Float32Array(ANGLES);
const SIN = new Float32Array(ANGLES);
for (let i = 0, angle = 0; i < ANGLES; i++) {
  angle += GOLDEN_ANGLE;
  COS[i] = Math.cos(angle);
  SIN[i] = Math.sin(angle);
}

function radiiFor(seed: string): Float32Array {
  const rng = seedrandom(seed);
  const radii = new Float32Array(RADII);
  for (let i = 0; i < RADII; i++) radii[i] = rng() ** RGAMMA;
  return radii;
}

export const c2g: ComponentImpl = (inputs, props) => {
  const src = inputs.input!;
  const { radius, samples, iterations } = { radius: Number(props.radius), samples: Number(props.samples), iterations: Number(props.iterations) };
  return stress(src, { radius, samples, iterations }, createHash('sha256').update(src.data).update(`${src.width}x${src.height}:${radius}:${samples}:${iterations}`).digest('hex'));
};

export function stress(src: RawImage, { radius, samples, iterations }: { radius: number; samples: number; iterations: number }, seed: string): RawImage {
  const { width, height } = src;
  const radii = radiiFor(seed);
  const lin = toLinear(src);
  const px = lin.data; // premultiplied linear RGBA
  const colour = new Float32Array(width * height * 3);
  for (let p = 0; p < width * height; p++) {
    const a = px[p * 4 + 3]!;
    for (let c = 0; c < 3; c++) colour[p * 3 + c] = a > 0 ? px[p * 4 + c]! / a : 0;
  }
  const out: RawImage = { data: Buffer.alloc(width * height * src.channels), width, height, channels: src.channels };
  let angleNo = 0;
  let radiusNo = 0;
  const min = new Float32Array(3);
  const max = new Float32Array(3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const p = y * width + x;
      const r0 = colour[p * 3]!;
      const g0 = colour[p * 3 + 1]!;
      const b0 = colour[p * 3 + 2]!;
      let rangeR = 0, rangeG = 0, rangeB = 0, relR = 0, relG = 0, relB = 0;
      for (let it = 0; it < iterations; it++) {
        min[0] = max[0] = r0;
        min[1] = max[1] = g0;
        min[2] = max[2] = b0;
        for (let s = 0; s < samples; s++) {
          let retries = samples;
          // GEGL draws again without end while a sample falls outside the image; a radius far
          // larger than a tiny image would then never finish. After ATTEMPTS draws the sample is
          // skipped (on the images of the regression cases no sample needs that many).
          for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
            const rmag = radii[radiusNo]! * radius;
            const u = Math.trunc(x + rmag * COS[angleNo]!);
            const v = Math.trunc(y + rmag * SIN[angleNo]!);
            if (++angleNo >= ANGLES) angleNo = 0;
            if (++radiusNo >= RADII) radiusNo = 0;
            if (u < 0 || v < 0 || u >= width || v >= height) continue;
            const q = v * width + u;
            if (px[q * 4 + 3]! > 0) {
              for (let c = 0; c < 3; c++) {
                const value = colour[q * 3 + c]!;
                if (value < min[c]!) min[c] = value;
                if (value > max[c]!) max[c] = value;
              }
              break;
            }
            if (--retries <= 0) break;
          }
        }
        const dr = max[0]! - min[0]!, dg = max[1]! - min[1]!, db = max[2]! - min[2]!;
        rangeR += dr;
        rangeG += dg;
        rangeB += db;
        relR += dr > 0 ? (r0 - min[0]!) / dr : 0.5;
        relG += dg > 0 ? (g0 - min[1]!) / dg : 0.5;
        relB += db > 0 ? (b0 - min[2]!) / db : 0.5;
      }
      // The pixel's place between its min and max envelopes (each as a distance from the pixel).
      const er = (1 - relR / iterations) * (rangeR / iterations);
      const eg = (1 - relG / iterations) * (rangeG / iterations);
      const eb = (1 - relB / iterations) * (rangeB / iterations);
      const fromMin = Math.hypot((relR / iterations) * (rangeR / iterations), (relG / iterations) * (rangeG / iterations), (relB / iterations) * (rangeB / iterations));
      const toMax = Math.sqrt(er * er + eg * eg + eb * eb);
      const grey = fromMin + toMax > 0 ? fromMin / (fromMin + toMax) : 0.5;
      const o = p * src.channels;
      out.data[o] = out.data[o + 1] = out.data[o + 2] = linearToSrgb8(grey);
      if (src.channels === 4) out.data[o + 3] = src.data[o + 3]!;
    }
  }
  return out;
}
