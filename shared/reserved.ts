/**
 * Parameters valid on every graph (SPEC §3.1). `width`/`height` scale the input before the
 * graph runs (one side keeps the aspect ratio, both stretch), as the original did.
 */
import type { PropDecl } from './components/types.ts';

export const MAX_DIMENSION = 16383;

/** The longest query string a processing URL may have (414 `query-too-long` beyond). */
export const MAX_QUERY_LENGTH = 8192;
/** The longest `input` value, and the longest parameter name (422 `invalid-parameter` beyond). */
export const MAX_INPUT_LENGTH = 4096;
export const MAX_NAME_LENGTH = 64;

export const SCALE_PARAMS = {
  width: {
    type: 'int',
    description: 'Scale the input to this width before processing (keeps the aspect ratio alone)',
    default: 0,
    minimum: 1,
    maximum: MAX_DIMENSION,
  },
  height: {
    type: 'int',
    description: 'Scale the input to this height before processing (keeps the aspect ratio alone)',
    default: 0,
    minimum: 1,
    maximum: MAX_DIMENSION,
  },
} as const satisfies Record<string, PropDecl>;

export const QUALITY_PARAM = {
  type: 'int',
  description: 'Encoder quality (defaults: jpg 90, webp 80, avif 60)',
  default: 0,
  minimum: 1,
  maximum: 100,
} as const satisfies PropDecl;

/** Device pixel ratio: multiplies `width`/`height` (before the size limit applies); not in the key itself. */
export const DPR_PARAM = {
  type: 'number',
  description: 'Device pixel ratio, 1–4: multiplies width and height (the result is the same as the multiplied sizes)',
  default: 1,
  minimum: 1,
  maximum: 4,
} as const satisfies PropDecl;

/**
 * The original's video encoder inports, on every graph that makes images from an input; they
 * act on a video output only. Unset, the encoder aims at a quality (CRF 20) and keeps the input's
 * frame rate.
 */
export const VIDEO_PARAMS = {
  video_bitrate: { type: 'int', description: 'Bitrate of the output video (kb/s); unset: constant quality', default: 0, minimum: 100, maximum: 10_000 },
  video_framerate: { type: 'number', description: 'Frames per second of the output video; unset: the input\'s', default: 0, minimum: 1, maximum: 100 },
} as const satisfies Record<string, PropDecl>;

/** `t`: the frame of a video input that an image output is made from (a poster). */
export const POSTER_PARAM = {
  type: 'number',
  description: 'Seconds into a video input: its frame there is processed (0: the first; past the end: the last)',
  default: 0,
  minimum: 0,
  maximum: 86_400,
} as const satisfies PropDecl;

/**
 * jpg keeps the original imgflo's encoder settings (quality 90, no chroma subsampling), so that
 * existing URLs give the same images: with 85 the crop_default_jpeg regression case misses
 * parity (mean ΔE 1.14). Below 90, chroma is subsampled 4:2:0 as libvips does.
 */
export const DEFAULT_QUALITY = { jpg: 90, webp: 80, avif: 60 } as const;

/** Names that never reach a graph and never name an inport. */
export const CONTROL_PARAMS = ['input', '_nocache', '_exp', 'debug', 'fallback'] as const;
