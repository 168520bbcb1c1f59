/**
 * gegl:rotate-on-center — about the centre; the canvas becomes the bounding box of the rotated
 * image, corners transparent. Sampled in linear premultiplied light. GEGL's angles turn the
 * image counter-clockwise on screen (its y axis points up), whatever its description says: the
 * croprotate regression case pins it.
 */
import { fromLinear, toLinear } from '../linear-light.ts';
import type { ComponentImpl } from './types.ts';

export const rotateOnCenter: ComponentImpl = (inputs, props) => {
  const src = toLinear(inputs.input!);
  const rad = (-Number(props.degrees) * Math.PI) / 180;
  const cos = Math.cos(rad);
  const sin = Math.sin(rad);
  const { width: w, height: h } = src;
  // Bounding box of the rotated corners.
  const corners = [[0, 0], [w, 0], [0, h], [w, h]].map(([x, y]) => [
    (x! - w / 2) * cos - (y! - h / 2) * sin,
    (x! - w / 2) * sin + (y! - h / 2) * cos,
  ]);
  const minX = Math.min(...corners.map((c) => c[0]!));
  const minY = Math.min(...corners.map((c) => c[1]!));
  const outW = Math.max(1, Math.round(Math.max(...corners.map((c) => c[0]!)) - minX));
  const outH = Math.max(1, Math.round(Math.max(...corners.map((c) => c[1]!)) - minY));
  const out = new Float32Array(outW * outH * 4);
  const nearest = props.sampler === 'nearest';
  const at = (x: number, y: number, c: number) => (x < 0 || y < 0 || x >= w || y >= h ? 0 : src.data[(y * w + x) * 4 + c]!);
  for (let oy = 0; oy < outH; oy++) {
    for (let ox = 0; ox < outW; ox++) {
      // Inverse rotation of the output pixel's centre into the source.
      const dx = ox + 0.5 + minX;
      const dy = oy + 0.5 + minY;
      const sx = dx * cos + dy * sin + w / 2 - 0.5;
      const sy = -dx * sin + dy * cos + h / 2 - 0.5;
      const o = (oy * outW + ox) * 4;
      if (nearest) {
        const x = Math.round(sx);
        const y = Math.round(sy);
        for (let c = 0; c < 4; c++) out[o + c] = at(x, y, c);
      } else {
        const x0 = Math.floor(sx);
        const y0 = Math.floor(sy);
        const fx = sx - x0;
        const fy = sy - y0;
        for (let c = 0; c < 4; c++) {
          const top = at(x0, y0, c) * (1 - fx) + at(x0 + 1, y0, c) * fx;
          const bottom = at(x0, y0 + 1, c) * (1 - fx) + at(x0 + 1, y0 + 1, c) * fx;
          out[o + c] = top * (1 - fy) + bottom * fy;
        }
      }
    }
  }
  return fromLinear({ data: out, width: outW, height: outH, alpha: true });
};
