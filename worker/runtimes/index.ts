/**
 * The worker's runtimes, by name (the shared half is shared/runtimes/): the type checker holds
 * the table complete. A job runs as its graph's runtime says, never by a branch on the name.
 */
import type { Runtime } from '../../shared/graph/compiled.ts';
import type { Encoded } from '../runtime/encode.ts';
import type { ProcessingTask } from '../runtime/task.ts';
import { imgflo } from './imgflo.ts';
import { info } from './info.ts';
import { noflo } from './noflo.ts';
import { noop } from './noop.ts';
import type { WorkerRuntime } from './runtime.ts';

export const WORKER_RUNTIMES: { readonly [R in Runtime]: WorkerRuntime } = { imgflo, noflo, noop, info };

/** A job's processing: its graph's runtime's pipeline. */
export const runTask = (task: ProcessingTask): Promise<Encoded> => WORKER_RUNTIMES[task.entry.compiled.runtime].run(task);
