/** Encoders per output type, with the quality defaults of SPEC §3.1. Metadata is stripped. */
import type { Sharp } from 'sharp';
import { CONTENT_TYPES, type ImageType, type OutputType } from '../../shared/formats.ts';
import { DEFAULT_QUALITY } from '../../shared/reserved.ts';

/** The longest side each encoder can write (libjpeg's JPEG_MAX_DIMENSION, libspng, libwebp, libheif, cgif). */
export const MAX_OUTPUT_SIDE: Readonly<Record<OutputType, number>> = {
  jpg: 65_500,
  png: 2_147_483_647,
  webp: 16_383,
  avif: 16_384,
  gif: 65_535,
  // H.264's largest level (6.2) holds 8192 × 4320.
  mp4: 8192,
};

export interface Encoded {
  body: Buffer;
  contentType: string;
  width: number;
  height: number;
}

export async function encode(pipeline: Sharp, type: ImageType, quality?: number): Promise<Encoded> {
  let out: Sharp;
  switch (type) {
    case 'jpg': {
      const q = quality ?? DEFAULT_QUALITY.jpg;
      // Progressive with optimised Huffman tables, as the original wrote JPEG.
      out = pipeline.jpeg({ quality: q, chromaSubsampling: q >= 90 ? '4:4:4' : '4:2:0', progressive: true, optimiseCoding: true });
      break;
    }
    case 'png':
      out = pipeline.png({ compressionLevel: 6 });
      break;
    case 'webp':
      out = pipeline.webp({ quality: quality ?? DEFAULT_QUALITY.webp });
      break;
    case 'avif':
      out = pipeline.avif({ quality: quality ?? DEFAULT_QUALITY.avif, effort: 2 });
      break;
    case 'gif':
      out = pipeline.gif();
      break;
  }
  const { data, info } = await out.toBuffer({ resolveWithObject: true });
  return { body: data, contentType: CONTENT_TYPES[type], width: info.width, height: info.height };
}
