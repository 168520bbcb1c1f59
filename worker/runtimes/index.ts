/**
 * The worker's runtimes, by name (the shared half is shared/runtimes/): the type checker holds
 * the table complete. A job runs as its graph's runtime says, never by a branch on the name.
 */
import { isVideoType } from '../../shared/formats.ts';
import type { Runtime } from '../../shared/graph/compiled.ts';
import { runtimeOf } from '../../shared/runtimes/index.ts';
import type { Encoded } from '../runtime/encode.ts';
import type { ProcessingTask } from '../runtime/task.ts';
import { imgflo } from './imgflo.ts';
import { info } from './info.ts';
import { noflo } from './noflo.ts';
import { noop } from './noop.ts';
import type { WorkerRuntime } from './runtime.ts';
import { video } from './video.ts';

export const WORKER_RUNTIMES: { readonly [R in Runtime]: WorkerRuntime } = { imgflo, noflo, noop, info };

/**
 * A job's processing: its graph's runtime's pipeline; for a video output of a graph that makes
 * images, the video pipeline, which runs every frame through that graph.
 */
export const runTask = (task: ProcessingTask): Promise<Encoded> =>
  (isVideoType(task.outtype) && runtimeOf(task.entry.compiled).makesImage ? video : WORKER_RUNTIMES[task.entry.compiled.runtime]).run(task);
