/**
 * The worker: takes a job, re-checks the index, re-indexes a result that is already stored,
 * otherwise reads the input, runs the graph, stores the result and writes the index; then
 * publishes the result and acks — only after store and index.
 */
import { internal, isImgfloError, unknownGraph, unsupportedInput } from '../shared/errors.ts';
import { CONTENT_TYPES, sniffImageType } from '../shared/formats.ts';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import type { Job, JobResult, Timings, Urgency } from '../shared/job.ts';
import type { CacheIndex, Clock, JobQueue, ObjectStore, Subscription } from '../shared/ports.ts';
import type { InputReader } from './inputs/read-input.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { processImage } from './runtime/process-image.ts';

export interface ConsumerDeps {
  catalogue: Catalogue;
  index: CacheIndex;
  store: ObjectStore;
  queue: JobQueue;
  readInput: InputReader;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  cacheTtlSeconds: number;
  maxInputPixels: number;
}

export async function handleJob(job: Job, deps: ConsumerDeps): Promise<JobResult> {
  const started = deps.clock.now();
  const timings: Timings = { queue: Math.max(0, started - job.createdAt), fetch: 0, process: 0, upload: 0 };
  const ok = (cached: boolean): JobResult => ({ v: 1, id: job.id, key: job.key, ok: true, objectKey: job.objectKey, cached, timings });
  try {
    if (!job.nocache) {
      if ((await deps.index.get(job.key)) !== null) return ok(true);
      if ((await deps.store.head(job.objectKey)) !== null) {
        await deps.index.set(job.key, job.objectKey, deps.cacheTtlSeconds);
        return ok(true);
      }
    }
    const entry = deps.catalogue.get(job.graph);
    if (!entry) throw unknownGraph(job.graph);

    let t = deps.clock.now();
    const input = job.input === null ? null : await deps.readInput(job.input);
    timings.fetch = deps.clock.now() - t;

    t = deps.clock.now();
    let body: Uint8Array;
    let contentType: string;
    if (entry.compiled.runtime === 'noop') {
      ({ body, contentType } = storeAsIs(input!, job.outtype));
    } else {
      if (!input) throw unsupportedInput('generative graphs are not supported yet');
      const out = await processImage(entry, job.params, input, job.outtype ?? 'jpg', {
        maxInputPixels: deps.maxInputPixels,
        deadline: job.deadline,
      });
      ({ body, contentType } = out);
    }
    timings.process = deps.clock.now() - t;

    t = deps.clock.now();
    await deps.store.put(job.objectKey, body, contentType);
    await deps.index.set(job.key, job.objectKey, deps.cacheTtlSeconds);
    timings.upload = deps.clock.now() - t;
    return ok(false);
  } catch (e) {
    if (isImgfloError(e)) return { v: 1, id: job.id, key: job.key, ok: false, error: e.toBody() };
    deps.log.error({ err: e, requestId: job.requestId, jobId: job.id, graph: job.graph }, 'job failed');
    return { v: 1, id: job.id, key: job.key, ok: false, error: internal(job.requestId).toBody() };
  }
}

/** noop: the bytes unchanged, only when they are an image of the requested type (or any image). */
function storeAsIs(input: Uint8Array, outtype: Job['outtype']): { body: Uint8Array; contentType: string } {
  const type = sniffImageType(input);
  if (type === null) throw unsupportedInput('not an image');
  if (outtype !== null && outtype !== type) throw unsupportedInput(`the input is ${type}, not ${outtype}`);
  return { body: input, contentType: CONTENT_TYPES[type] };
}

export function startConsumer(deps: ConsumerDeps, urgencies: readonly Urgency[], concurrency: number): Promise<Subscription> {
  return deps.queue.consume(urgencies, concurrency, async (delivery) => {
    const { job } = delivery;
    deps.metrics.jobsInFlight.inc();
    try {
      const result = await handleJob(job, deps);
      deps.metrics.jobsProcessed.inc({
        graph: job.graph,
        outcome: result.ok ? (result.cached ? 'cached' : 'processed') : 'error',
      });
      if (result.ok) {
        for (const [phase, ms] of Object.entries(result.timings)) deps.metrics.phaseSeconds.observe({ phase }, ms / 1000);
      }
      deps.log.info(
        { requestId: job.requestId, jobId: job.id, graph: job.graph, ok: result.ok, ...(result.ok ? { cached: result.cached, timings: result.timings } : { status: result.error.code, reason: result.error.reason }) },
        'job done',
      );
      await deps.queue.publishResult(result);
      delivery.ack();
    } finally {
      deps.metrics.jobsInFlight.dec();
    }
  });
}
