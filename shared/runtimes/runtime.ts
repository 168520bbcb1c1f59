/**
 * A runtime: how the graphs of one kind are compiled and what their requests take and answer.
 * One file a runtime beside this one, all of them in the table of index.ts; the worker's half
 * (how a job of the runtime runs) is in worker/runtimes/.
 */
import type { Size } from '../components/types.ts';
import type { OutputType } from '../formats.ts';
import type { CompiledGraph } from '../graph/compiled.ts';
import type { GraphDefinition } from '../graph/model.ts';

export interface RuntimeSpec {
  /**
   * Its graph files: whether a graph's `properties.environment.type` names this runtime, and
   * how such a graph compiles. Absent for a runtime no graph file has (info).
   */
  readonly graphs?: {
    readonly names: (environmentType: string) => boolean;
    readonly compile: (g: GraphDefinition, fail: (msg: string) => never) => CompiledGraph;
  };
  /** Makes a new image: takes `quality`, `dpr`, the `auto` type and (with an input) `width`/`height`. */
  readonly makesImage: boolean;
  /** The output types it writes. */
  readonly formats: readonly OutputType[];
  /** Its answer: an image (redirected to or proxied) or a JSON description, given as the body (no fallback). */
  readonly answers: 'image' | 'json';
  /** What its input may be, as /graphs shows the `input` parameter. */
  readonly inputDescription: string;
  /** A graph's description when its file has none. */
  readonly describe: (name: string) => string;
  /** The quality of an output type when the URL names none (undefined: the encoder's). */
  readonly defaultQuality: (outtype: OutputType) => number | undefined;
  /** The output's size when the parameters fix it whatever the input (a NoFlo canvas). */
  readonly canvas?: (graph: CompiledGraph, params: Readonly<Record<string, unknown>>) => Size;
}

export const IMAGE_INPUT = 'Input image: an http(s) URL, files/<name> or a graph/... URL of this service';
