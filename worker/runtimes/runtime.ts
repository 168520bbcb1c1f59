/**
 * A runtime's half in the worker: how a job of it runs, in a processing process. Each runs its
 * own list of steps in the pipeline runner (worker/runtime/pipeline.ts); the table is index.ts.
 */
import type { Encoded } from '../runtime/encode.ts';
import type { ProcessingTask } from '../runtime/task.ts';

export interface WorkerRuntime {
  run: (task: ProcessingTask) => Promise<Encoded>;
}

/** The input of a runtime that always has one (the request was refused without it). */
export function inputOf(task: ProcessingTask): Uint8Array {
  if (task.input === null) throw new Error(`a ${task.entry.compiled.runtime} job without an input`);
  return task.input;
}
