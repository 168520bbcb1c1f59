/**
 * Info's work (shared/info.ts), in a processing process under the limits of any job: the input
 * is screened and its header checked exactly as for processing; then one small upright preview
 * (at most 64 px, shrunk on load) gives the dominant colour, the BlurHash and the placeholder.
 */
import { encode as blurhash } from 'blurhash';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { sniffImageType } from '../../shared/formats.ts';
import { MAX_LQIP_LENGTH, type ImageInfo } from '../../shared/info.ts';
import { runPipeline, secondsLeft, type PipelineState, type PipelineStep } from '../runtime/pipeline.ts';
import { decode } from '../runtime/process-image.ts';
import { screenSvg } from '../runtime/svg-policy.ts';
import type { VideoInfo } from '../video/probe.ts';
import { videoFrame } from '../video/source.ts';
import { inputOf, type WorkerRuntime } from './runtime.ts';

const PREVIEW = 64;
/** Placeholder sides tried in turn until its data URI fits MAX_LQIP_LENGTH. */
const LQIP_SIDES = [16, 12, 8] as const;
const hex = (n: number) => Math.round(n).toString(16).padStart(2, '0');

interface InfoState extends PipelineState {
  readonly input: Uint8Array;
  /** A video's headers, and its container's name; its first frame is what is described. */
  video?: { info: VideoInfo; container: string };
  screened?: Uint8Array;
  decoded?: { pipeline: Sharp; meta: Metadata };
  preview?: { data: Buffer; info: { width: number; height: number } };
}

const STEPS: ReadonlyArray<PipelineStep<InfoState>> = [
  {
    name: 'screen',
    run: async (s) => {
      const video = await videoFrame(s.input, 0, s.limits);
      return { screened: await screenSvg(video?.png ?? s.input), ...(video && { video: { info: video.info, container: video.container } }) };
    },
  },
  { name: 'decode', run: async (s) => ({ decoded: await decode(s.screened!, s.limits, false) }) },
  {
    name: 'scale',
    run: async (s) => ({
      preview: await s.decoded!.pipeline.resize(PREVIEW, PREVIEW, { fit: 'inside' }).ensureAlpha().raw().timeout({ seconds: secondsLeft(s.limits) }).toBuffer({ resolveWithObject: true }),
    }),
  },
  { name: 'encode', run: async (s) => ({ out: await described(s.input, s.decoded!.meta, s.preview!, s.video) }) },
];

export const info: WorkerRuntime = { run: (task) => runPipeline(STEPS, { limits: task.limits, input: inputOf(task) }) };

async function described(input: Uint8Array, meta: Metadata, preview: NonNullable<InfoState['preview']>, video: InfoState['video']) {
  const raw = { raw: { width: preview.info.width, height: preview.info.height, channels: 4 as const } };
  // Colours as the image shows on a white page: a transparent pixel counts as white.
  const flat = () => sharp(preview.data, raw).flatten({ background: '#ffffff' });
  const [pixels, lqip] = await Promise.all([flat().ensureAlpha().raw().toBuffer({ resolveWithObject: true }), placeholder(preview.data, raw)]);
  const { width: w, height: h } = pixels.info;
  const orientation = meta.orientation ?? 1;
  const frameHeight = meta.pageHeight ?? meta.height ?? 0;
  const turned = orientation >= 5;
  const info: ImageInfo = {
    width: turned ? frameHeight : (meta.width ?? 0),
    height: turned ? (meta.width ?? 0) : frameHeight,
    format: video?.container ?? sniffImageType(input) ?? meta.format ?? 'unknown',
    frames: video?.info.frames ?? meta.pages ?? 1,
    hasAlpha: meta.hasAlpha ?? false,
    orientation,
    dominant: dominant(pixels.data),
    blurhash: blurhash(new Uint8ClampedArray(pixels.data), w, h, w >= h ? 4 : 3, w >= h ? 3 : 4),
    lqip,
    ...(video && { video: { seconds: video.info.seconds, fps: video.info.fps, codec: video.info.codec, audio: video.info.audio } }),
  };
  return { body: Buffer.from(JSON.stringify(info)), contentType: 'application/json', width: info.width, height: info.height };
}

/**
 * The dominant colour of RGBA pixels: the most common of 4096 colour bins (4 bits a channel),
 * given as the mean of the pixels in it rather than the bin's centre.
 */
function dominant(rgba: Buffer): string {
  const count = new Uint32Array(4096);
  const sums = new Float64Array(4096 * 3);
  for (let i = 0; i < rgba.length; i += 4) {
    const bin = ((rgba[i]! >> 4) << 8) | ((rgba[i + 1]! >> 4) << 4) | (rgba[i + 2]! >> 4);
    count[bin]!++;
    for (let c = 0; c < 3; c++) sums[bin * 3 + c]! += rgba[i + c]!;
  }
  let best = 0;
  for (let bin = 1; bin < count.length; bin++) if (count[bin]! > count[best]!) best = bin;
  const mean = (c: number) => hex(sums[best * 3 + c]! / Math.max(1, count[best]!));
  return `#${mean(0)}${mean(1)}${mean(2)}`;
}

/** A tiny blurred WebP of the preview as a data URI, alpha kept; smaller until it fits. */
async function placeholder(data: Buffer, raw: { raw: { width: number; height: number; channels: 4 } }): Promise<string> {
  for (const side of LQIP_SIDES) {
    const webp = await sharp(data, raw).resize(side, side, { fit: 'inside' }).blur(0.6).webp({ quality: 40, alphaQuality: 40, effort: 4 }).toBuffer();
    const uri = `data:image/webp;base64,${webp.toString('base64')}`;
    if (uri.length <= MAX_LQIP_LENGTH) return uri;
  }
  throw new Error('placeholder larger than its limit at the smallest size');
}
