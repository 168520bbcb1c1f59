/**
 * What a request's parameters mean for its processing, decided here alone: whether `width` and
 * `height` scale the input (or are the graph's own, as a canvas's), the size the input is
 * scaled to, and the output's quality. Request resolution (shared/request.ts) and /graphs read
 * it at the edge; the worker reads it for each job (worker/runtimes/).
 */
import type { PropValue } from '../components/types.ts';
import type { OutputType } from '../formats.ts';
import type { CompiledGraph } from '../graph/compiled.ts';
import { runtimeOf } from './index.ts';

/** The sides the input is scaled to before the graph; one side alone keeps the aspect ratio. */
export interface InputScale {
  width?: number;
  height?: number;
}

export interface Decisions {
  /** null: the graph gets the input at its own size. */
  scale: InputScale | null;
  /** undefined: the encoder's default. */
  quality: number | undefined;
  /** Seconds into a video input: the frame an image output is made from. */
  poster: number;
  /** A video output's bitrate (kb/s) and frame rate; undefined: constant quality, the input's rate. */
  video: { bitrate?: number; framerate?: number };
}

/** Whether a graph exports its own `width` or `height` (a canvas, ...): the URL's go to it. */
export const ownsSize = (graph: CompiledGraph) => Object.hasOwn(graph.inports, 'width') || Object.hasOwn(graph.inports, 'height');

/** Whether `width` and `height` scale the input: a graph that makes an image from an input, with no size of its own. */
export const scalesInput = (graph: CompiledGraph) => runtimeOf(graph).makesImage && !graph.generative && !ownsSize(graph);

export function decide(graph: CompiledGraph, params: Readonly<Record<string, PropValue>>, outtype: OutputType): Decisions {
  const side = (name: 'width' | 'height') => (typeof params[name] === 'number' ? (params[name] as number) : undefined);
  const scale = scalesInput(graph) && (side('width') || side('height')) ? { width: side('width'), height: side('height') } : null;
  const quality = typeof params.quality === 'number' ? params.quality : runtimeOf(graph).defaultQuality(outtype);
  const num = (name: string) => (typeof params[name] === 'number' ? (params[name] as number) : undefined);
  return { scale, quality, poster: num('t') ?? 0, video: { bitrate: num('video_bitrate'), framerate: num('video_framerate') } };
}
