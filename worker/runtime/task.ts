/** One job's processing as the processing process (child.ts) receives it, and what it answers. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PropValue } from '../../shared/components/types.ts';
import type { ErrorBody } from '../../shared/errors.ts';
import type { OutputType } from '../../shared/formats.ts';
import type { GraphEntry } from '../../shared/graph/catalogue.ts';
import type { Handed, ImageDigests } from './handoff.ts';

export interface ProcessLimits {
  maxInputPixels: number;
  maxFrames: number;
  /** Epoch ms after which processing gives up. */
  deadline: number;
  /** IMGFLO_MAX_VIDEO_SECONDS: the longest video taken (default: DEFAULT_MAX_VIDEO_SECONDS). */
  maxVideoSeconds?: number;
}

export const DEFAULT_MAX_VIDEO_SECONDS = 120;

/** The folder of a processing process's job files (a video's): `<tmp>/imgflo-job-<pid>`. */
export const jobDirOf = (pid: number) => join(tmpdir(), `imgflo-job-${pid}`);

export interface ProcessingTask {
  entry: GraphEntry;
  params: Readonly<Record<string, PropValue>>;
  input: Uint8Array | null;
  /** The bytes of the graph's other image inports (`overlay`, ...), by name. */
  images?: Readonly<Record<string, Uint8Array>>;
  /** null: the graph's default (JPEG), or for noop the input's own type. */
  outtype: OutputType | null;
  limits: ProcessLimits;
}

/** The task as the processing process receives it: its images as bytes or files (handoff.ts). */
export type HandedTask = Omit<ProcessingTask, 'input' | 'images'> & { input: Handed | null; images?: Record<string, Handed> };

export type ProcessingAnswer =
  | { ok: true; body: Uint8Array; contentType: string; digests: ImageDigests }
  | { ok: false; error: ErrorBody }
  | { ok: false; bug: string };
