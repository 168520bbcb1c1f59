/**
 * Images between the steps of a graph: 8-bit sRGB pixels, RGB or RGBA, row by row.
 * Components that work in linear light convert to float and back (linear-light.ts).
 */
import sharp, { type Sharp } from 'sharp';

export interface RawImage {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
}

export function toSharp(img: RawImage): Sharp {
  return sharp(img.data, { raw: { width: img.width, height: img.height, channels: img.channels } });
}

/** Materialises a sharp pipeline as RGB or RGBA 8-bit sRGB pixels. */
export async function fromSharp(pipeline: Sharp): Promise<RawImage> {
  const { data, info } = await pipeline
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels === 3 || info.channels === 4) {
    return { data, width: info.width, height: info.height, channels: info.channels };
  }
  // Grey (+alpha) that survived the colourspace conversion: widen to RGB(A).
  const channels = info.channels === 2 ? 4 : 3;
  const out = Buffer.alloc(info.width * info.height * channels);
  for (let i = 0, j = 0; i < data.length; i += info.channels, j += channels) {
    out[j] = out[j + 1] = out[j + 2] = data[i]!;
    if (channels === 4) out[j + 3] = data[i + 1]!;
  }
  return { data: out, width: info.width, height: info.height, channels };
}

export function withAlpha(img: RawImage): RawImage {
  if (img.channels === 4) return img;
  const out = Buffer.alloc(img.width * img.height * 4);
  for (let i = 0, j = 0; i < img.data.length; i += 3, j += 4) {
    out[j] = img.data[i]!;
    out[j + 1] = img.data[i + 1]!;
    out[j + 2] = img.data[i + 2]!;
    out[j + 3] = 255;
  }
  return { data: out, width: img.width, height: img.height, channels: 4 };
}
