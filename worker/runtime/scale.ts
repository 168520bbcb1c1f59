/**
 * Scaling as gegl:scale-size-keepaspect did it: in linear premultiplied light, bilinear
 * ("linear" sampler), pixel centres mapped onto each other; reductions below one half are
 * first box-averaged by whole factors, as GEGL's mipmap levels were.
 */
import type { LinearImage } from './linear-light.ts';

/** Averages `fx`×`fy` blocks of pixels (whole factors). */
function boxReduce(img: LinearImage, fx: number, fy: number): LinearImage {
  const width = Math.max(1, Math.floor(img.width / fx));
  const height = Math.max(1, Math.floor(img.height / fy));
  const out = new Float32Array(width * height * 4);
  const inv = 1 / (fx * fy);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let j = 0; j < fy; j++) {
        let i = ((y * fy + j) * img.width + x * fx) * 4;
        for (let k = 0; k < fx; k++, i += 4) {
          r += img.data[i]!;
          g += img.data[i + 1]!;
          b += img.data[i + 2]!;
          a += img.data[i + 3]!;
        }
      }
      const o = (y * width + x) * 4;
      out[o] = r * inv;
      out[o + 1] = g * inv;
      out[o + 2] = b * inv;
      out[o + 3] = a * inv;
    }
  }
  return { ...img, data: out, width, height };
}

function bilinear(img: LinearImage, width: number, height: number): LinearImage {
  const out = new Float32Array(width * height * 4);
  const sx = img.width / width;
  const sy = img.height / height;
  const maxX = img.width - 1;
  const maxY = img.height - 1;
  const xs = new Int32Array(width * 2);
  const wx = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    const fx = Math.min(maxX, Math.max(0, (x + 0.5) * sx - 0.5));
    const x0 = Math.floor(fx);
    xs[x * 2] = x0 * 4;
    xs[x * 2 + 1] = Math.min(maxX, x0 + 1) * 4;
    wx[x] = fx - x0;
  }
  const d = img.data;
  for (let y = 0; y < height; y++) {
    const fy = Math.min(maxY, Math.max(0, (y + 0.5) * sy - 0.5));
    const y0 = Math.floor(fy);
    const wy = fy - y0;
    const row0 = y0 * img.width * 4;
    const row1 = Math.min(maxY, y0 + 1) * img.width * 4;
    let o = y * width * 4;
    for (let x = 0; x < width; x++, o += 4) {
      const a0 = row0 + xs[x * 2]!;
      const a1 = row0 + xs[x * 2 + 1]!;
      const b0 = row1 + xs[x * 2]!;
      const b1 = row1 + xs[x * 2 + 1]!;
      const w = wx[x]!;
      for (let c = 0; c < 4; c++) {
        const top = d[a0 + c]! + (d[a1 + c]! - d[a0 + c]!) * w;
        const bottom = d[b0 + c]! + (d[b1 + c]! - d[b0 + c]!) * w;
        out[o + c] = top + (bottom - top) * wy;
      }
    }
  }
  return { ...img, data: out, width, height };
}

export function scaleLinear(img: LinearImage, width: number, height: number): LinearImage {
  if (width === img.width && height === img.height) return img;
  const fx = Math.max(1, Math.floor(img.width / width / 2) * 1);
  const fy = Math.max(1, Math.floor(img.height / height / 2) * 1);
  const reduced = fx > 1 || fy > 1 ? boxReduce(img, fx, fy) : img;
  return bilinear(reduced, width, height);
}

/** The size `width`/`height` ask for: one side keeps the aspect ratio, both stretch. */
export function targetSize(src: { width: number; height: number }, width?: number, height?: number): { width: number; height: number } {
  if (width && height) return { width, height };
  if (width) return { width, height: Math.max(1, Math.round((src.height * width) / src.width)) };
  if (height) return { width: Math.max(1, Math.round((src.width * height) / src.height)), height };
  return src;
}
