/** Reading videos back with Debian's ffmpeg, for the tests: their streams, and a frame as a PNG. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

const scratch = mkdtempSync(join(tmpdir(), 'imgflo-video-test-'));
let n = 0;

/** Writes bytes to a file of this process's own. */
export function scratchFile(bytes: Uint8Array, ext = 'bin'): string {
  const path = join(scratch, `${n++}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

export interface Probed {
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; r_frame_rate: string; nb_read_frames?: string; pix_fmt?: string; sample_aspect_ratio?: string }>;
  format: { duration: string };
}

export const ffprobe = (bytes: Uint8Array): Probed =>
  JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-print_format', 'json', '-show_streams', '-show_format', scratchFile(bytes)]).toString()) as Probed;

/** Frame `k` of a video, as a PNG. */
export const frameOf = (bytes: Uint8Array, k: number): Buffer =>
  execFileSync('ffmpeg', ['-v', 'error', '-i', scratchFile(bytes), '-vf', `select=eq(n\\,${k})`, '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1']);

/** The frame at `seconds`, as a PNG. */
export const frameAt = (bytes: Uint8Array, seconds: number): Buffer =>
  execFileSync('ffmpeg', ['-v', 'error', '-ss', String(seconds), '-i', scratchFile(bytes), '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1']);

/** Media made by ffmpeg from its own sources (lavfi: nothing read from outside). */
export function madeByFfmpeg(args: string[], ext: string): Buffer {
  const path = join(scratch, `${n++}.${ext}`);
  execFileSync('ffmpeg', ['-v', 'error', ...args, '-y', path]);
  return readFileSync(path);
}

/** The largest difference between the colour channels of any pixel (0: every pixel grey). */
export async function channelSpread(png: Uint8Array): Promise<number> {
  const { data, info } = await sharp(png).raw().toBuffer({ resolveWithObject: true });
  let spread = 0;
  for (let i = 0; i < data.length; i += info.channels) spread = Math.max(spread, Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!));
  return spread;
}

/** An EBML element: its ID, its size (as an 8-byte number), its payload. */
const ebml = (id: number[], payload: Uint8Array | number[]): Buffer => {
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE(BigInt(payload.length));
  size[0] = 0x01;
  return Buffer.concat([Buffer.from(id), size, Buffer.from(payload)]);
};
const ebmlUint = (id: number[], n: number) => ebml(id, Buffer.from(n.toString(16).padStart(8, '0'), 'hex').subarray(n > 0xffffff ? 0 : n > 0xffff ? 1 : n > 0xff ? 2 : 3));
const ebmlText = (id: number[], s: string) => ebml(id, Buffer.from(s, 'latin1'));

/**
 * A Matroska file whose one VP8 track claims `width` × `height` frames, 30 a second for `seconds`:
 * headers only, with one empty block, as a hostile upload would be made by hand.
 */
export function matroskaClaiming(width: number, height: number, seconds = 1): Buffer {
  const header = ebml([0x1a, 0x45, 0xdf, 0xa3], Buffer.concat([ebmlUint([0x42, 0x86], 1), ebmlUint([0x42, 0xf7], 1), ebmlUint([0x42, 0xf2], 4), ebmlUint([0x42, 0xf3], 8), ebmlText([0x42, 0x82], 'matroska'), ebmlUint([0x42, 0x87], 4), ebmlUint([0x42, 0x85], 2)]));
  const duration = Buffer.alloc(4);
  duration.writeFloatBE(seconds * 1000);
  const info = ebml([0x15, 0x49, 0xa9, 0x66], Buffer.concat([ebmlUint([0x2a, 0xd7, 0xb1], 1_000_000), ebml([0x44, 0x89], duration)]));
  const video = ebml([0xe0], Buffer.concat([ebmlUint([0xb0], width), ebmlUint([0xba], height)]));
  const track = ebml([0xae], Buffer.concat([ebmlUint([0xd7], 1), ebmlUint([0x73, 0xc5], 1), ebmlUint([0x83], 1), ebmlText([0x86], 'V_VP8'), ebmlUint([0x23, 0xe3, 0x83], 33_333_333), video]));
  const cluster = ebml([0x1f, 0x43, 0xb6, 0x75], Buffer.concat([ebmlUint([0xe7], 0), ebml([0xa3], [0x81, 0, 0, 0x80, ...Array(16).fill(0)])]));
  return Buffer.concat([header, ebml([0x18, 0x53, 0x80, 0x67], Buffer.concat([info, ebml([0x16, 0x54, 0xae, 0x6b], track), cluster]))]);
}
