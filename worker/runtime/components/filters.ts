/**
 * Small filters of the original graphs, each one pass over a float image:
 * gegl:edge-sobel, gegl:brightness-contrast, gegl:motion-blur-linear, gegl:noise-reduction.
 */
import { fromFloat, fromLinear, toFloat, toLinear, type LinearImage } from '../linear-light.ts';
import type { ComponentImpl } from './types.ts';

/** Per-channel Sobel magnitude in linear light, scaled by 1/√32; alpha kept. */
export const edgeSobel: ComponentImpl = (inputs, props) => {
  const src = toLinear(inputs.input!);
  const { width: w, height: h, data } = src;
  const out = new Float32Array(data.length);
  const H = props.horizontal !== false;
  const V = props.vertical !== false;
  const px = (x: number, y: number, c: number) => {
    const i = (Math.min(h - 1, Math.max(0, y)) * w + Math.min(w - 1, Math.max(0, x))) * 4;
    const a = data[i + 3]!;
    return c === 3 ? a : a > 0 ? data[i + c]! / a : 0;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      const a = data[o + 3]!;
      for (let c = 0; c < 3; c++) {
        const gx = H ? px(x + 1, y - 1, c) + 2 * px(x + 1, y, c) + px(x + 1, y + 1, c) - px(x - 1, y - 1, c) - 2 * px(x - 1, y, c) - px(x - 1, y + 1, c) : 0;
        const gy = V ? px(x - 1, y + 1, c) + 2 * px(x, y + 1, c) + px(x + 1, y + 1, c) - px(x - 1, y - 1, c) - 2 * px(x, y - 1, c) - px(x + 1, y - 1, c) : 0;
        out[o + c] = (Math.sqrt(gx * gx + gy * gy) / Math.sqrt(32)) * a;
      }
      out[o + 3] = a;
    }
  }
  return fromLinear({ ...src, data: out });
};

/** (v − 0.5)·contrast + 0.5 + brightness on linear, unpremultiplied colour. */
export const brightnessContrast: ComponentImpl = (inputs, props) => {
  const src = toLinear(inputs.input!);
  const contrast = Number(props.contrast);
  const brightness = Number(props.brightness);
  const out = new Float32Array(src.data.length);
  for (let i = 0; i < out.length; i += 4) {
    const a = src.data[i + 3]!;
    for (let c = 0; c < 3; c++) {
      const v = a > 0 ? src.data[i + c]! / a : 0;
      out[i + c] = Math.min(1, Math.max(0, (v - 0.5) * contrast + 0.5 + brightness)) * a;
    }
    out[i + 3] = a;
  }
  return fromLinear({ ...src, data: out });
};

/** The average of ceil(length)+1 bilinear samples along a centred line; outside is transparent. */
export const motionBlurLinear: ComponentImpl = (inputs, props) => {
  const src = toLinear(inputs.input!);
  const length = Number(props.length);
  if (length < 0.5) return inputs.input!;
  const rad = (Number(props.angle) * Math.PI) / 180;
  const n = Math.ceil(length) + 1;
  const dx = (Math.cos(rad) * length) / (n - 1);
  const dy = (Math.sin(rad) * length) / (n - 1);
  const { width: w, height: h, data } = src;
  const out = new Float32Array(data.length);
  let r = 0, g = 0, b = 0, a = 0;
  const add = (x: number, y: number, wt: number) => {
    if (x < 0 || y < 0 || x >= w || y >= h || wt === 0) return;
    const i = (y * w + x) * 4;
    r += data[i]! * wt;
    g += data[i + 1]! * wt;
    b += data[i + 2]! * wt;
    a += data[i + 3]! * wt;
  };
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      r = g = b = a = 0;
      for (let k = 0; k < n; k++) {
        const sx = x - (dx * (n - 1)) / 2 + dx * k;
        const sy = y - (dy * (n - 1)) / 2 + dy * k;
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        add(x0, y0, (1 - fx) * (1 - fy));
        add(x0 + 1, y0, fx * (1 - fy));
        add(x0, y0 + 1, (1 - fx) * fy);
        add(x0 + 1, y0 + 1, fx * fy);
      }
      const o = (y * w + x) * 4;
      out[o] = r / n;
      out[o + 1] = g / n;
      out[o + 2] = b / n;
      out[o + 3] = a / n;
    }
  }
  return fromLinear({ data: out, width: w, height: h, alpha: true });
};

/**
 * Edge-preserving smoothing in sRGB gamma: each pass moves a pixel towards the mean of a pair of
 * opposite neighbours along the directions where it sticks out from both (noise); where it lies
 * between them (an edge or a ramp) it stays.
 */
export const noiseReduction: ComponentImpl = (inputs, props) => {
  let img: LinearImage = toFloat(inputs.input!, 'gamma');
  const iterations = Number(props.iterations);
  const { width: w, height: h } = img;
  const dirs = [[1, 0], [0, 1], [1, 1], [1, -1]] as const;
  for (let it = 0; it < iterations; it++) {
    const d = img.data;
    const out = new Float32Array(d);
    for (let y = 1; y < h - 1; y++) {
      for (let x = 1; x < w - 1; x++) {
        const i = (y * w + x) * 4;
        for (let c = 0; c < 4; c++) {
          const v = d[i + c]!;
          let sum = 0;
          let count = 0;
          for (const [ox, oy] of dirs) {
            const a = d[((y + oy) * w + x + ox) * 4 + c]!;
            const b = d[((y - oy) * w + x - ox) * 4 + c]!;
            if ((a - v) * (b - v) > 0) {
              sum += (a + b) / 2;
              count++;
            }
          }
          if (count > 0) out[i + c] = v * 0.5 + (sum / count) * 0.5;
        }
      }
    }
    img = { ...img, data: out };
  }
  return fromFloat(img, 'gamma');
};
