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
