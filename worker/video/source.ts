/**
 * Where a video job's frames come from: a video file, probed and its bounds checked first
 * (probe.ts), then decoded (and scaled) by ffmpeg into RGB frames on a pipe; or an animated GIF
 * or WebP, whose frames sharp decodes (and scales) under the limits of any animated input.
 * Frames are scaled where they are decoded, with a lanczos kernel in gamma space (as libvips
 * scales a still reduced by 4 or more): never a full-size frame in JavaScript to make a small one.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { Size } from '../../shared/components/types.ts';
import { unsupportedInput } from '../../shared/errors.ts';
import { sniffType } from '../../shared/formats.ts';
import { decode } from '../runtime/process-image.ts';
import type { RawImage } from '../runtime/raw-image.ts';
import { DEFAULT_MAX_VIDEO_SECONDS, type ProcessLimits } from '../runtime/task.ts';
import { ffmpegPath, haveFfmpeg, run, videoOff, withJobDir } from './ffmpeg.ts';
import { inputArgs, probe, sniffContainer, type Container, type VideoInfo } from './probe.ts';

export interface FrameSource {
  /** The frames' size as shown (upright). */
  size: Size;
  fps: number;
  /** The frames, upright, RGB, in order, at `at` (scaled where that is another size). */
  frames(at: Size): AsyncIterable<RawImage>;
  /** The video file and how ffmpeg reads it; null for an animated image. */
  file: { path: string; container: Container } | null;
  /** The codec of the file's first audio stream, which goes into the result; null: none. */
  audio: string | null;
}

/** ffmpeg's filter that scales frames from `from` to `to`; none where they are one size. */
export const scaleFilter = (from: Size, to: Size): string[] =>
  from.width === to.width && from.height === to.height ? [] : [`scale=${to.width}:${to.height}:flags=lanczos`];

const videoLimits = (limits: ProcessLimits) => ({ ...limits, maxVideoSeconds: limits.maxVideoSeconds ?? DEFAULT_MAX_VIDEO_SECONDS });

/** A container's bounds, from its headers (for noop, which stores the bytes as they are). */
export async function probeBytes(container: Container, bytes: Uint8Array, limits: ProcessLimits): Promise<VideoInfo> {
  if (!haveFfmpeg()) throw videoOff();
  return withJobDir(async (dir) => {
    const file = join(dir, 'input');
    await writeFile(file, bytes);
    return probe(container, file, videoLimits(limits));
  });
}

/**
 * The still an image output is made from: the input itself, or for a video the frame at
 * `seconds` (past the end: the last), as a PNG, its headers' bounds checked first.
 */
export async function stillOf(bytes: Uint8Array, seconds: number, limits: ProcessLimits): Promise<Uint8Array> {
  return (await videoFrame(bytes, seconds, limits))?.png ?? bytes;
}

/** A video's frame at `seconds` (past the end: the last) as a PNG, and what its headers say; null for bytes that are no video. */
export async function videoFrame(bytes: Uint8Array, seconds: number, limits: ProcessLimits): Promise<{ png: Buffer; info: VideoInfo; container: Container } | null> {
  const container = sniffContainer(bytes);
  if (container === null) return null;
  if (!haveFfmpeg()) throw videoOff();
  return withJobDir(async (dir) => {
    const file = join(dir, 'input');
    await writeFile(file, bytes);
    const info = await probe(container, file, videoLimits(limits));
    const at = Math.min(seconds, Math.max(0, info.seconds - 1 / info.fps));
    const png = await run(ffmpegPath(), ['-nostdin', '-v', 'error', '-ss', at.toFixed(3), ...inputArgs(container, file), '-map', '0:v:0', '-frames:v', '1', '-f', 'image2pipe', '-c:v', 'png', 'pipe:1'], limits.deadline).done;
    if (png.length === 0) throw unsupportedInput(`no frame at ${at.toFixed(3)} s`);
    return { png, info, container };
  });
}

/** The frames of `bytes`, the job's files in `dir`. */
export async function openSource(bytes: Uint8Array, dir: string, limits: ProcessLimits): Promise<FrameSource> {
  const container = sniffContainer(bytes);
  if (container !== null) return ffmpegSource(container, bytes, dir, limits);
  const type = sniffType(bytes);
  if (type === 'gif' || type === 'webp') return animationSource(bytes, limits);
  throw unsupportedInput('not a video (MP4, QuickTime, ASF, Matroska, WebM) or an animated image (GIF, WebP)');
}

async function ffmpegSource(container: Container, bytes: Uint8Array, dir: string, limits: ProcessLimits): Promise<FrameSource> {
  const file = join(dir, 'input');
  await writeFile(file, bytes);
  const info = await probe(container, file, videoLimits(limits));
  // ffmpeg turns the frames upright (its autorotate) before its filters, so they have the shown size.
  const size = { width: info.width, height: info.height };
  const frames = (at: Size) => {
    const filters = scaleFilter(size, at);
    const decoder = run(ffmpegPath(), ['-nostdin', '-v', 'error', ...inputArgs(container, file), '-map', '0:v:0', ...(filters.length > 0 ? ['-vf', filters.join(',')] : []), '-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'], limits.deadline, false);
    return framesOf(decoder.stdout, at.width, at.height, decoder.done);
  };
  return { size, fps: info.fps, frames, file: { path: file, container }, audio: info.audio };
}

/** Frames of `width` × `height` RGB, cut from a stream; then whatever its process ended with. */
async function* framesOf(stream: NodeJS.ReadableStream, width: number, height: number, done: Promise<unknown>): AsyncIterable<RawImage> {
  const size = width * height * 3;
  let pending: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    pending.push(chunk);
    length += chunk.length;
    while (length >= size) {
      const all = Buffer.concat(pending);
      yield { data: all.subarray(0, size), width, height, channels: 3 };
      pending = [all.subarray(size)];
      length = all.length - size;
    }
  }
  await done;
}

/** An animated GIF or WebP: its frames by sharp, its rate from its frames' delays. */
async function animationSource(bytes: Uint8Array, limits: ProcessLimits): Promise<FrameSource> {
  const { meta } = await decode(bytes, limits, true);
  const pages = meta.pages ?? 1;
  const width = meta.width ?? 1;
  const height = meta.pageHeight ?? meta.height ?? 1;
  const delays = (meta.delay ?? []).map((d) => (d > 0 ? d : 100));
  const meanDelay = delays.length > 0 ? delays.reduce((a, b) => a + b, 0) / delays.length : 100;
  async function* frames(at: Size): AsyncIterable<RawImage> {
    // Every frame in one decode (a GIF's frame n is made from those before it: one decode each
    // would decode the first frames again and again); the pixel limit bounds them all, above.
    const { data } = await sharp(bytes, { pages: -1, limitInputPixels: limits.maxInputPixels }).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
    const frameBytes = width * height * 3;
    for (let page = 0; page < pages; page++) {
      const frame = data.subarray(page * frameBytes, (page + 1) * frameBytes);
      if (at.width === width && at.height === height) yield { data: frame, width, height, channels: 3 };
      else yield { data: await sharp(frame, { raw: { width, height, channels: 3 } }).resize(at.width, at.height, { fit: 'fill', kernel: 'lanczos3' }).raw().toBuffer(), width: at.width, height: at.height, channels: 3 };
    }
  }
  return { size: { width, height }, fps: Math.min(100, 1000 / meanDelay), frames, file: null, audio: null };
}
