/** imgflo: the image pipeline, its graph run step by step over the component library; a video input gives its frame at `t`. */
import { runPipeline } from '../runtime/pipeline.ts';
import { imageState, imageSteps, runPlan } from '../runtime/process-image.ts';
import { stillOf } from '../video/source.ts';
import type { WorkerRuntime } from './runtime.ts';

// A video input gives the frame at `t` (a poster).
const STEPS = imageSteps(runPlan, stillOf);

export const imgflo: WorkerRuntime = { run: (task) => runPipeline(STEPS, imageState(task)) };
