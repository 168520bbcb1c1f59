/**
 * What a video holds, from its container's headers (ffprobe) before any frame is decoded, and
 * the bounds checked on it: its duration, its frame size against the pixel limit, its frame
 * rate, frames × pixels, and a video stream to read at all. ffprobe reads the job's own file
 * only, with the demuxer its bytes were sniffed as: no protocol but `file`, no other demuxer.
 */
import * as v from 'valibot';
import { ImgfloError, inputPixels, unsupportedInput } from '../../shared/errors.ts';
import { sniffType } from '../../shared/formats.ts';
import type { ProcessLimits } from '../runtime/task.ts';
import { ffprobePath, run } from './ffmpeg.ts';

/** The demuxer of a sniffed container: ffmpeg never guesses one from the bytes. */
export const DEMUXER = { mp4: 'mov', asf: 'asf', matroska: 'matroska' } as const;
export type Container = keyof typeof DEMUXER;

const ASF = [0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11, 0xa6, 0xd9, 0x00, 0xaa, 0x00, 0x62, 0xce, 0x6c];
const EBML = [0x1a, 0x45, 0xdf, 0xa3];
const at = (b: Uint8Array, sig: readonly number[], offset = 0) => b.length >= offset + sig.length && sig.every((x, i) => b[offset + i] === x);

/**
 * The container of some bytes, from their magic numbers: MP4/QuickTime (`ftyp`), ASF (as the
 * original's example video is), Matroska/WebM; null for anything else — a playlist named
 * `.mp4` included, which never reaches ffmpeg.
 */
export function sniffContainer(b: Uint8Array): Container | null {
  if (at(b, [0x66, 0x74, 0x79, 0x70], 4) && sniffType(b) === 'mp4') return 'mp4';
  if (at(b, ASF)) return 'asf';
  if (at(b, EBML)) return 'matroska';
  return null;
}

/** The arguments that keep ffmpeg and ffprobe to the job's file, read as `container`. */
export const inputArgs = (container: Container, file: string) => ['-protocol_whitelist', 'file', '-f', DEMUXER[container], '-i', `file:${file}`];

/** The highest frame rate taken (frames a second). */
export const MAX_FPS = 120;

export interface VideoInfo {
  /** The frame size as shown (rotation applied). */
  width: number;
  height: number;
  fps: number;
  seconds: number;
  /** Frames, from the duration and the rate. */
  frames: number;
  codec: string;
  /** The first audio stream's codec, or null. */
  audio: string | null;
  /** Degrees the frames are turned when shown (0, 90, 180, 270). */
  rotation: number;
}

const Stream = v.looseObject({
  codec_type: v.optional(v.string()),
  codec_name: v.optional(v.string()),
  width: v.optional(v.number()),
  height: v.optional(v.number()),
  avg_frame_rate: v.optional(v.string()),
  r_frame_rate: v.optional(v.string()),
  duration: v.optional(v.string()),
  tags: v.optional(v.looseObject({ rotate: v.optional(v.string()) })),
  side_data_list: v.optional(v.array(v.looseObject({ rotation: v.optional(v.number()) }))),
});
const Probe = v.looseObject({ streams: v.optional(v.array(Stream), []), format: v.optional(v.looseObject({ duration: v.optional(v.string()) }), {}) });

const rate = (r: string | undefined) => {
  const [n = 0, d = 1] = (r ?? '').split('/').map(Number);
  return d > 0 && Number.isFinite(n / d) ? n / d : 0;
};

export async function probe(container: Container, file: string, limits: ProcessLimits & { maxVideoSeconds: number }): Promise<VideoInfo> {
  const out = await run(ffprobePath(), ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', ...inputArgs(container, file)], limits.deadline).done;
  const parsed = v.safeParse(Probe, JSON.parse(out.toString('utf8') || '{}'));
  if (!parsed.success) throw unsupportedInput('unreadable video headers');
  const { streams, format } = parsed.output;
  const video = streams.find((s) => s.codec_type === 'video');
  if (!video) throw unsupportedInput('no video stream');
  // ffmpeg leaves the size out when the headers claim one it refuses (past about 268 MP).
  if (!video.width || !video.height) throw unsupportedInput('no valid frame size in the video headers');
  const fps = rate(video.avg_frame_rate) || rate(video.r_frame_rate);
  const seconds = Number(format.duration ?? video.duration ?? NaN);
  if (!(fps > 0) || !(seconds > 0)) throw unsupportedInput('no frame rate or duration in the video headers');
  if (fps > MAX_FPS) throw new ImgfloError(422, 'size-limit', `The video has more than ${MAX_FPS} frames a second`, { limit: MAX_FPS });
  if (seconds > limits.maxVideoSeconds) throw new ImgfloError(422, 'size-limit', `The video is longer than ${limits.maxVideoSeconds} s`, { limit: limits.maxVideoSeconds });
  if (video.width * video.height > limits.maxInputPixels) throw inputPixels(limits.maxInputPixels);
  const frames = Math.max(1, Math.round(seconds * fps));
  // A video may hold as many pixels as IMGFLO_MAX_FRAMES frames of the largest input.
  if (frames * video.width * video.height > limits.maxInputPixels * limits.maxFrames) throw inputPixels(limits.maxInputPixels * limits.maxFrames);
  const turned = Number(video.tags?.rotate ?? 0) || -(video.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? 0);
  const rotation = ((Math.round(turned / 90) * 90) % 360 + 360) % 360;
  const sideways = rotation === 90 || rotation === 270;
  return {
    width: sideways ? video.height : video.width,
    height: sideways ? video.width : video.height,
    fps,
    seconds,
    frames,
    codec: video.codec_name ?? 'unknown',
    audio: streams.find((s) => s.codec_type === 'audio')?.codec_name ?? null,
    rotation,
  };
}
