/** imgflo: the image pipeline, its graph run step by step over the component library. */
import { runPipeline } from '../runtime/pipeline.ts';
import { imageState, imageSteps, runPlan } from '../runtime/process-image.ts';
import type { WorkerRuntime } from './runtime.ts';

const STEPS = imageSteps(runPlan);

export const imgflo: WorkerRuntime = { run: (task) => runPipeline(STEPS, imageState(task)) };
