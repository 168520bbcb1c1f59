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
  streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; r_frame_rate: string; nb_read_frames?: string; pix_fmt?: string }>;
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
