/** Inputs crafted byte by byte: headers that claim more than their bytes hold. */
import { crc32, deflateSync } from 'node:zlib';

/** A GIF whose logical screen is `width`×`height`, with `frames` frames of 1×1 pixel each. */
export function craftedGif(width: number, height: number, frames: number): Buffer {
  const head = Buffer.alloc(13);
  head.write('GIF89a', 0, 'latin1');
  head.writeUInt16LE(width, 6);
  head.writeUInt16LE(height, 8);
  head.writeUInt8(0x80, 10); // a global colour table of 2 entries
  const palette = Buffer.from([0, 0, 0, 255, 255, 255]);
  const loop = Buffer.from([0x21, 0xff, 0x0b, ...Buffer.from('NETSCAPE2.0'), 0x03, 0x01, 0x00, 0x00, 0x00]);
  const frame = (i: number) =>
    Buffer.from([
      0x21, 0xf9, 0x04, 0x04, 0x0a, 0x00, 0x00, 0x00, // graphic control: 100 ms, keep the frame
      0x2c, 0, 0, 0, 0, 0x01, 0x00, 0x01, 0x00, 0x00, // image descriptor: 1×1 at 0,0
      0x02, 0x02, 0x44, i % 2 ? 0x01 : 0x00, 0x00, // LZW data
    ]);
  return Buffer.concat([head, palette, loop, ...Array.from({ length: frames }, (_, i) => frame(i)), Buffer.from([0x3b])]);
}

/** A PNG of 1×1 pixel whose header claims `width`×`height`: a decompression bomb. */
export function bombPng(width: number, height: number): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data]);
    const out = Buffer.alloc(body.length + 8);
    out.writeUInt32BE(data.length, 0);
    body.copy(out, 4);
    out.writeUInt32BE(crc32(body), body.length + 4);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(8, 8);
  ihdr.writeUInt8(0, 9);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.alloc(2))), chunk('IEND', Buffer.alloc(0))]);
}

/**
 * SVGs within every documented limit whose rendering is native work of minutes: a few KB each.
 * librsvg cannot be interrupted, so only killing its process stops them.
 */
export const costlySvgs = {
  /** `filters` chained Gaussian blurs over a `side`² canvas. */
  blurs(side: number, filters: number): string {
    let defs = '';
    let body = `<rect width="${side}" height="${side}" fill="#c33"/>`;
    for (let i = 0; i < filters; i++) {
      defs += `<filter id="f${i}" x="0" y="0" width="1" height="1"><feGaussianBlur stdDeviation="25"/></filter>`;
      body = `<g filter="url(#f${i})">${body}</g>`;
    }
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><defs>${defs}</defs>${body}</svg>`;
  },
  /** `count` rectangles each covering a `side`² canvas, half transparent. */
  rectangles(side: number, count: number): string {
    const rect = `<rect width="${side}" height="${side}" fill="#36c" fill-opacity="0.01"/>`;
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}">${rect.repeat(count)}</svg>`;
  },
  /** Fractal noise of many octaves over a `side`² canvas. */
  turbulence(side: number): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}"><filter id="t" x="0" y="0" width="1" height="1"><feTurbulence baseFrequency="0.05" numOctaves="10"/></filter><rect width="${side}" height="${side}" filter="url(#t)"/></svg>`;
  },
};
