/**
 * The pipeline runner: a runtime's job is a list of named steps (worker/runtimes/), run in
 * order over one state, with one exit. A step may be skipped (`when`); what it returns is merged
 * into the state; the job's result is the state's `out` once every step has run.
 *
 * Each step's failures come out typed, named after the step: a libvips error (sharp rejects with
 * a plain `Error`) is the input's fault, 415, or 422 when it is the libvips deadline; a refused
 * allocation is 422 `size-limit`. Only a bug of ours stays an untyped error.
 */
import { ImgfloError, isImgfloError, processingTimeout } from '../../shared/errors.ts';
import type { Encoded } from './encode.ts';
import type { ProcessLimits } from './task.ts';

export type StepName = 'screen' | 'decode' | 'plan' | 'scale' | 'graph' | 'encode';

export interface PipelineStep<S> {
  name: StepName;
  /** Runs only when this holds (always when absent). */
  when?: (state: S) => boolean;
  run: (state: S) => Partial<S> | void | Promise<Partial<S> | void>;
}

/** The state every pipeline's steps share: the job's limits, and its result once made. */
export interface PipelineState {
  readonly limits: ProcessLimits;
  out?: Encoded;
}

export async function runPipeline<S extends PipelineState>(steps: ReadonlyArray<PipelineStep<S>>, state: S): Promise<Encoded> {
  for (const s of steps) {
    if (s.when && !s.when(state)) continue;
    Object.assign(state, await step(s.name, () => s.run(state)));
  }
  if (!state.out) throw new Error(`the steps ${steps.map((s) => s.name).join(', ')} left no result`);
  return state.out;
}

/** Runs one piece of work; its failure comes out typed, named after the step. */
export async function step<T>(name: StepName, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw byKind(name, e);
  }
}

function byKind(name: StepName, e: unknown): unknown {
  if (isImgfloError(e)) return e;
  if (e instanceof RangeError) {
    return new ImgfloError(422, 'size-limit', `The ${name} step needs more memory than the limits allow`, { step: name });
  }
  // sharp rejects with a plain Error carrying libvips' message; our own bugs are TypeErrors & co.
  if (e instanceof Error && e.constructor === Error) {
    if (/^timeout\b/i.test(e.message)) return processingTimeout();
    return new ImgfloError(415, 'unsupported-input', `Input is not a supported image: cannot ${name} it`, { step: name });
  }
  return e;
}

/** The whole seconds left before the deadline (at least 1): libvips' own timeout for a pipeline. */
export const secondsLeft = (limits: ProcessLimits) => Math.max(1, Math.ceil((limits.deadline - Date.now()) / 1000));
