/** noflo: the image pipeline, its graph run whole on the `noflo` package. */
import { runPipeline } from '../runtime/pipeline.ts';
import { imageState, imageSteps } from '../runtime/process-image.ts';
import type { WorkerRuntime } from './runtime.ts';

// Loaded on first use (a chunk of its own in the bundle): a process that never runs a NoFlo
// graph never loads noflo.
const STEPS = imageSteps(async (graph, params) => (await import('../runtime/noflo/run.ts')).runNoflo(graph, params));

export const noflo: WorkerRuntime = { run: (task) => runPipeline(STEPS, imageState(task)) };
