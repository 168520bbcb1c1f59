/**
 * Image info (`/info[/<apikey>/<token>]?input=...`): a job like any processing request, with
 * its own cache key, whose result is a JSON description of the input (size, type, frames,
 * alpha, orientation, dominant colour, BlurHash, a tiny WebP placeholder). It runs as a hidden
 * catalogue entry of runtime `info`: never listed, never in the page's cards.
 */
import * as v from 'valibot';
import type { GraphEntry } from './graph/catalogue.ts';
import { GRAPH_INPUT } from './graph/compile.ts';

/** The job's graph name; `$` keeps it apart from any graph file's name. */
export const INFO_GRAPH = '$info';

/**
 * The version of what info computes, in place of a graph digest (part of the cache key): a new
 * value when the JSON's content changes, so no old description is served.
 */
export const INFO_DIGEST = '0000000000000001';

export const INFO_ENTRY: GraphEntry = {
  name: INFO_GRAPH,
  description: 'Describes the input image: size, type, frames, alpha, orientation, dominant colour, BlurHash and a tiny placeholder',
  compiled: { runtime: 'info', steps: [], output: GRAPH_INPUT, inports: {}, generative: false, ignored: [] },
  digest: INFO_DIGEST,
  formats: [],
  presets: {},
};

/** The graph entry of a job: the catalogue's, or info's. */
export function jobEntry(catalogue: ReadonlyMap<string, GraphEntry>, graph: string): GraphEntry | undefined {
  return graph === INFO_GRAPH ? INFO_ENTRY : catalogue.get(graph);
}

/** The largest placeholder: a `data:` URI of at most this many characters. */
export const MAX_LQIP_LENGTH = 1024;

export const ImageInfoSchema = v.object({
  /** Upright size: as the image is shown once its EXIF orientation is applied. */
  width: v.number(),
  height: v.number(),
  format: v.string(),
  frames: v.number(),
  hasAlpha: v.boolean(),
  /** The EXIF orientation tag, 1 (upright) to 8. */
  orientation: v.number(),
  dominant: v.pipe(v.string(), v.regex(/^#[0-9a-f]{6}$/)),
  blurhash: v.string(),
  lqip: v.pipe(v.string(), v.startsWith('data:image/webp;base64,'), v.maxLength(MAX_LQIP_LENGTH)),
  /** A video's: its length, rate, codec and audio; the rest describes its first frame (the poster). */
  video: v.optional(
    v.object({
      seconds: v.number(),
      fps: v.number(),
      codec: v.string(),
      /** The first audio stream's codec, or null. */
      audio: v.nullable(v.string()),
    }),
  ),
});
export type ImageInfo = v.InferOutput<typeof ImageInfoSchema>;
