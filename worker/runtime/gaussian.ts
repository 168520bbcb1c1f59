/**
 * Separable Gaussian blur on premultiplied linear RGBA float, as gegl:gaussian-blur does:
 * a recursive (IIR, Young & van Vliet) filter for σ ≥ 1, whose cost does not grow with σ,
 * and a sampled kernel (FIR) below. The abyss policy says what lies beyond the edges.
 */
import type { LinearImage } from './linear-light.ts';

export type Abyss = 'none' | 'clamp' | 'black' | 'white';

const ABYSS_PIXEL: Record<Exclude<Abyss, 'clamp'>, readonly number[]> = {
  none: [0, 0, 0, 0],
  black: [0, 0, 0, 1],
  white: [1, 1, 1, 1],
};

export function gaussianBlur(img: LinearImage, sigmaX: number, sigmaY: number, abyss: Abyss): LinearImage {
  const data = new Float32Array(img.data);
  const { width, height } = img;
  if (sigmaX > 0) blurLines(data, width, height, 4, 4 * width, sigmaX, abyss);
  if (sigmaY > 0) blurLines(data, height, width, 4 * width, 4, sigmaY, abyss);
  return { ...img, data };
}

/**
 * Blurs `lines` lines of `length` pixels in place; `step` is the distance between neighbouring
 * pixels of a line and `lineStep` between the first pixels of neighbouring lines (in floats).
 */
function blurLines(
  data: Float32Array,
  length: number,
  lines: number,
  step: number,
  lineStep: number,
  sigma: number,
  abyss: Abyss,
) {
  // The line is extended by what lies beyond its edges, far enough that the filter has
  // forgotten where it started; then the middle is kept.
  const pad = Math.ceil(sigma < 1 ? 3 * sigma + 1 : 6 * sigma + 10);
  const n = length + 2 * pad;
  const line = new Float64Array(n * 4);
  const out = new Float64Array(n * 4);
  const filter = sigma < 1 ? firFilter(sigma) : iirFilter(sigma);
  for (let l = 0; l < lines; l++) {
    const base = l * lineStep;
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < 4; c++) line[(i + pad) * 4 + c] = data[base + i * step + c]!;
    }
    for (let c = 0; c < 4; c++) {
      const left = abyss === 'clamp' ? line[pad * 4 + c]! : ABYSS_PIXEL[abyss][c]!;
      const right = abyss === 'clamp' ? line[(pad + length - 1) * 4 + c]! : ABYSS_PIXEL[abyss][c]!;
      for (let i = 0; i < pad; i++) {
        line[i * 4 + c] = left;
        line[(pad + length + i) * 4 + c] = right;
      }
      filter(line, out, n, c);
    }
    for (let i = 0; i < length; i++) {
      for (let c = 0; c < 4; c++) data[base + i * step + c] = out[(i + pad) * 4 + c]!;
    }
  }
}

type Filter = (src: Float64Array, dst: Float64Array, n: number, c: number) => void;

function iirFilter(sigma: number): Filter {
  const q = sigma >= 2.5 ? 0.98711 * sigma - 0.9633 : 3.97156 - 4.14554 * Math.sqrt(1 - 0.26891 * sigma);
  const q2 = q * q;
  const q3 = q2 * q;
  const b0 = 1.57825 + 2.44413 * q + 1.4281 * q2 + 0.422205 * q3;
  const b1 = (2.44413 * q + 2.85619 * q2 + 1.26661 * q3) / b0;
  const b2 = -(1.4281 * q2 + 1.26661 * q3) / b0;
  const b3 = (0.422205 * q3) / b0;
  const B = 1 - (b1 + b2 + b3);
  return (src, dst, n, c) => {
    let w1 = src[c]!;
    let w2 = w1;
    let w3 = w1;
    for (let i = 0; i < n; i++) {
      const w = B * src[i * 4 + c]! + b1 * w1 + b2 * w2 + b3 * w3;
      dst[i * 4 + c] = w;
      w3 = w2;
      w2 = w1;
      w1 = w;
    }
    let y1 = dst[(n - 1) * 4 + c]!;
    let y2 = y1;
    let y3 = y1;
    for (let i = n - 1; i >= 0; i--) {
      const y = B * dst[i * 4 + c]! + b1 * y1 + b2 * y2 + b3 * y3;
      dst[i * 4 + c] = y;
      y3 = y2;
      y2 = y1;
      y1 = y;
    }
  };
}

function firFilter(sigma: number): Filter {
  const radius = Math.max(1, Math.ceil(3 * sigma));
  const kernel = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp(-(k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= sum;
  return (src, dst, n, c) => {
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = -radius; k <= radius; k++) {
        const j = Math.min(n - 1, Math.max(0, i + k));
        acc += kernel[k + radius]! * src[j * 4 + c]!;
      }
      dst[i * 4 + c] = acc;
    }
  };
}
