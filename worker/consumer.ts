/**
 * The worker: takes a job, re-checks the index (re-indexing a result that is already stored,
 * answering a failure remembered for the key) while it reads the input, runs the graph in a
 * processing process, stores the result under a name of its own bytes and points the index at
 * it (retiring the result it replaces); then publishes the result and acks — only after store
 * and index. A chained `graph/...` input is a job of the same request.
 */
import { ImgfloError, internal, isImgfloError, ofInport, unavailable, unknownGraph, type ErrorBody } from '../shared/errors.ts';
import type { Catalogue, GraphEntry } from '../shared/graph/catalogue.ts';
import type { Job, JobResult, Timings } from '../shared/job.ts';
import { queueOf, type QueueName } from '../shared/queues.ts';
import type { CacheIndex, Clock, IndexCommit, JobQueue, ObjectStore, SourceVersion, Subscription } from '../shared/ports.ts';
import { backoffMs, type Backoff } from '../shared/backoff.ts';
import { inputKind } from '../shared/input-ref.ts';
import { imageInports } from '../shared/graph/compile.ts';
import { jobEntry } from '../shared/info.ts';
import { chainedJob, chainSources } from './inputs/chained.ts';
import { currentResult, retire, storeResult } from './results.ts';
import { sourcesChanged } from './revalidate.ts';
import type { InputReader, SourceChecker } from './inputs/read-input.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import type { PendingIndexWrites } from './index-writes.ts';
import type { Processor } from './runtime/processor.ts';

export interface ConsumerDeps {
  catalogue: Catalogue;
  index: CacheIndex;
  store: ObjectStore;
  queue: JobQueue;
  readInput: InputReader;
  /** Whether a source is no longer the version a result was made from (revalidation). */
  checkSource: SourceChecker;
  /** IMGFLO_SOURCE_MAX_AGE: how long a result counts as fresh once made or revalidated; null: always. */
  sourceMaxAgeSeconds: number | null;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  cacheTtlSeconds: number;
  maxInputPixels: number;
  maxFrames: number;
  /** IMGFLO_MAX_VIDEO_SECONDS (the processing default when absent). */
  maxVideoSeconds?: number;
  processingTimeoutMs: number;
  /** IMGFLO_VIDEO_PROCESSING_TIMEOUT_MS, for a video output (default: processingTimeoutMs). */
  videoProcessingTimeoutMs?: number;
  processor: Processor;
  /** Index writes after a store that the index did not take at once (tried again in the background). */
  indexWrites: PendingIndexWrites;
  /** How long a failed key is answered with its failure without processing again. */
  failureTtlSeconds: number;
  /** Where results are stored (and chained inputs' results read), and the size rule the edge applies. */
  objectPrefix: string;
  sizeLimitMegapixels: number;
}

/** How long a job's processing may take: its queue's processing deadline. */
const processingMs = (job: Job, deps: ConsumerDeps): number => (queueOf(job) === 'video' ? (deps.videoProcessingTimeoutMs ?? deps.processingTimeoutMs) : deps.processingTimeoutMs);

/** Failures an input causes that trying again at once would repeat (a missing or refused input too). */
const REMEMBERED = new Set(['processing-timeout', 'size-limit', 'input-pixels', 'unsupported-input', 'input-too-large', 'input-fetch-failed']);

/** Storage failures are worth a retry: the job is tried again, then answered with a 503. */
async function storage<T>(deps: ConsumerDeps, what: string, op: Promise<T>): Promise<T> {
  try {
    return await op;
  } catch (e) {
    deps.log.warn({ err: e }, `storage ${what} failed`);
    throw unavailable('Storage unavailable');
  }
}

/** The index can be rebuilt from storage, so its failures only cost speed: log and go on. */
async function softly<T>(deps: ConsumerDeps, what: string, op: Promise<T>, fallback: T): Promise<T> {
  try {
    return await op;
  } catch (e) {
    deps.log.warn({ err: e }, `cache index ${what} failed; going on without it`);
    return fallback;
  }
}

/**
 * Runs a job to its stored result. `deadline` is given for the inner job of a chained input,
 * whose work counts against the outer job's processing deadline; `depth` is its nesting.
 */
export async function handleJob(
  job: Job,
  deps: ConsumerDeps,
  deadline?: number,
  depth = 0,
  /** The job's graph, looked up once (by the consumer, which checks its version first). */
  entry: GraphEntry | undefined = jobEntry(deps.catalogue, job.graph),
  /** Whether the index commit of a new result drops the job's in-flight marker too (the consumer's top-level job). */
  release = false,
): Promise<JobResult> {
  const started = deps.clock.now();
  const timings: Timings = { queue: Math.max(0, started - job.createdAt), fetch: 0, process: 0, upload: 0 };
  const ok = (objectKey: string, cached: boolean): JobResult => ({ v: 1, id: job.id, key: job.key, ok: true, objectKey, cached, timings });
  try {
    if (job.revalidate) {
      const kept = await revalidated(job, deps, deadline ?? started + processingMs(job, deps), depth);
      if (kept !== null) return ok(kept, true);
      // A source changed (or nothing is known to compare): made again, as with _nocache.
      job = { ...job, nocache: true };
    }
    if (!entry) throw unknownGraph(job.graph);
    const produced = await produce(job, entry, deps, timings, deadline, depth);
    if ('stored' in produced) return ok(produced.stored, true);

    const t = deps.clock.now();
    // Named by its own bytes: the same bytes land on the same key, other bytes on another. A
    // result to replace there is only when one was asked for anew: a miss found none just now.
    const [objectKey, replaced] = await Promise.all([
      storage(deps, 'put', storeResult(deps.store, { prefix: deps.objectPrefix, key: job.key, outtype: job.outtype, body: produced.body, contentType: produced.contentType, now: deps.clock.now() })),
      job.nocache ? softly(deps, 'lookup', deps.index.get(job.key), null) : null,
    ]);
    // Stored: its entry spares the next request a job; its sources tell a later request whether
    // one changed; its lineage lets purging an input (or an overlay, ...) reach it. One round
    // trip, with the in-flight marker's release when the consumer asked for it. Tried once: what
    // the index does not take now is written in the background once it is back (index-writes.ts),
    // so an index outage holds no job's slot; the release is not tried again (the marker lapses,
    // and by then it may be another job's).
    const commit: IndexCommit = {
      key: job.key,
      objectKey,
      ttlSeconds: deps.cacheTtlSeconds,
      sources: produced.sources,
      freshSeconds: deps.sourceMaxAgeSeconds,
      graph: job.graph,
      inputs: lineageInputs(imageRefs(job, entry), deps.catalogue),
      release,
    };
    await deps.indexWrites.write(`commit:${job.key}`, 'write', () => deps.index.commit(commit), () => deps.index.commit({ ...commit, release: false }));
    // The result this one replaces (made again with _nocache, or from a changed source) stays
    // readable for the redirects that may still lead to it, then the sweep removes it.
    if (replaced !== null && replaced !== objectKey) await softly(deps, 'retire', retire(deps.store, replaced, deps.clock.now()), undefined);
    timings.upload = deps.clock.now() - t;
    return ok(objectKey, false);
  } catch (e) {
    if (isImgfloError(e)) {
      if (REMEMBERED.has(e.reason) && !e.retryable) {
        await softly(deps, 'failure record', deps.index.rememberFailure(job.key, e.toRemembered(), deps.failureTtlSeconds), undefined);
      }
      return { v: 1, id: job.id, key: job.key, ok: false, error: e.toBody(), retryable: e.retryable };
    }
    deps.log.error({ err: e, requestId: job.requestId, jobId: job.id, graph: job.graph }, 'job failed');
    return { v: 1, id: job.id, key: job.key, ok: false, error: internal(job.requestId).toBody(), retryable: false };
  }
}

/**
 * A revalidation job: the stored result's object key when none of its sources changed (it counts
 * as fresh again), else null. Without a stored result or a record of its sources, null too.
 */
async function revalidated(job: Job, deps: ConsumerDeps, deadline: number, depth: number): Promise<string | null> {
  const [current, sources] = await Promise.all([softly(deps, 'lookup', deps.index.get(job.key), null), softly(deps, 'sources lookup', deps.index.sources(job.key), null)]);
  if (current === null || sources === null) return null;
  const changed = await sourcesChanged(sources, {
    checkSource: deps.checkSource,
    chainedResult: async (input) => {
      const inner = await chainedJob(input, depth + 1, deps);
      const result = await handleJob({ ...inner, revalidate: true }, deps, deadline, depth + 1);
      if (!result.ok) throw ImgfloError.fromBody(result.error as ErrorBody, result.retryable);
      return result.objectKey;
    },
    onUncheckable: (input, e) => deps.log.warn({ err: e, requestId: job.requestId, key: job.key, input }, 'source could not be revalidated; the result in use stays'),
  });
  deps.metrics.revalidations.inc({ outcome: changed ? 'changed' : 'unchanged' });
  if (changed) return null;
  if (deps.sourceMaxAgeSeconds !== null) await softly(deps, 'freshness', deps.index.markFresh(job.key, deps.sourceMaxAgeSeconds), undefined);
  return current;
}

/** The inputs a result's lineage names: each image it was made from, through chains too (none for a generative graph). */
function lineageInputs(refs: Array<string | null>, catalogue: Catalogue): string[] {
  const named = refs.filter((r) => r !== null);
  return named.length > 0 ? chainSources(named, catalogue) : [];
}

/** Every image a job reads: its input (null for a generative graph), then its other image inports'. */
function imageRefs(job: Job, entry: GraphEntry): Array<string | null> {
  return [job.input, ...imageInports(entry.compiled).map((n) => String(job.params[n]))];
}

/**
 * The result's bytes, or the object key of the result stored already. The input is read while the index and
 * storage are checked again: a miss, the usual case, waits for neither check; a result found
 * meanwhile is answered without processing.
 */
async function produce(
  job: Job,
  entry: GraphEntry,
  deps: ConsumerDeps,
  timings: Timings,
  given: number | undefined,
  depth: number,
): Promise<{ body: Uint8Array; contentType: string; sources: SourceVersion[] } | { stored: string }> {
  let t = deps.clock.now();
  // A chained input's work counts against this job's processing deadline.
  const chainDeadline = given ?? t + processingMs(job, deps);
  // The input and the graph's other images (`overlay`, ...) under the same rules, all at once.
  // A failure of another image names its inport: the fallback stands in for `input` only.
  const imageNames = imageInports(entry.compiled);
  const refs = imageRefs(job, entry);
  const reading = Promise.all(
    refs.map((ref, i) => {
      const source = readSource(ref, deps, chainDeadline, depth);
      return i === 0 ? source : ofInport(imageNames[i - 1]!, source);
    }),
  );
  reading.catch(() => undefined);
  const stored = job.nocache ? null : await alreadyDone(job, deps);
  if (stored !== null) return { stored };
  const read = await reading;
  const [input = null, ...extras] = read.map((r) => r?.bytes ?? null);
  const images = Object.fromEntries(imageNames.map((n, i) => [n, extras[i]!]));
  timings.fetch = deps.clock.now() - t;

  t = deps.clock.now();
  const deadline = given ?? (job.input !== null && inputKind(job.input).kind === 'chained' ? chainDeadline : t + processingMs(job, deps));
  const out = await deps.processor.run({ entry, params: job.params, input, images, outtype: job.outtype, limits: { maxInputPixels: deps.maxInputPixels, maxFrames: deps.maxFrames, deadline, ...(deps.maxVideoSeconds !== undefined && { maxVideoSeconds: deps.maxVideoSeconds }) } });
  timings.process = deps.clock.now() - t;
  // A source's digest, where its reading left it out, is the processing process's (off this thread).
  const digests = [out.digests.input, ...imageNames.map((n) => out.digests.images[n] ?? null)];
  const sources = read.flatMap((r, i) => (r ? [{ ...r.version, digest: r.version.digest ?? digests[i]! }] : []));
  return { body: out.body, contentType: out.contentType, sources };
}

/**
 * A source's bytes and the version they are: a chained input from its stored result (made first
 * when there is none), versioned by that result's object key; another by its server's validators
 * and its bytes' digest, which the processing process takes (left out here).
 */
async function readSource(
  input: string | null,
  deps: ConsumerDeps,
  deadline: number,
  depth: number,
): Promise<{ bytes: Uint8Array; version: Omit<SourceVersion, 'digest'> & { digest?: string } } | null> {
  if (input === null) return null;
  if (inputKind(input).kind !== 'chained') {
    let validators = {};
    const bytes = await deps.readInput(input, (v) => (validators = v));
    return { bytes, version: { input, ...validators } };
  }
  const inner = await chainedJob(input, depth + 1, deps);
  const result = await handleJob(inner, deps, deadline, depth + 1);
  if (!result.ok) throw ImgfloError.fromBody(result.error as ErrorBody, result.retryable);
  const stored = await storage(deps, 'get', deps.store.get(result.objectKey));
  if (!stored) throw unavailable('Storage lost a chained result');
  return { bytes: stored.body, version: { input, digest: result.objectKey } };
}

/** The stored result's object key: from the index, or from storage only (then it is indexed again); null when there is none. */
async function alreadyDone(job: Job, deps: ConsumerDeps): Promise<string | null> {
  // All checks at once: a miss costs one round trip instead of three.
  const stored = storage(deps, 'list', currentResult(deps.store, deps.objectPrefix, job.key));
  stored.catch(() => undefined);
  const { objectKey: indexed, failure: failed } = await softly(deps, 'lookup', deps.index.lookup(job.key), { objectKey: null, failure: null });
  if (indexed !== null) {
    deps.metrics.cacheLookups.inc({ result: 'hit' });
    return indexed;
  }
  // Failed moments ago: the same work would fail the same way.
  if (failed !== null) throw ImgfloError.fromRemembered(failed);
  const found = await stored;
  if (found !== null) {
    await softly(deps, 'write', deps.index.set(job.key, found, deps.cacheTtlSeconds), undefined);
    deps.metrics.cacheLookups.inc({ result: 'reindexed' });
    return found;
  }
  deps.metrics.cacheLookups.inc({ result: 'miss' });
  return null;
}

export const MAX_ATTEMPTS = 3;

/** How long a worker holds a job of another graph version before handing it back. */
const REFUSAL_PAUSE_MS = 100;

/** A failed job's next attempt: about 0.5 s, then 2 s (shared/backoff.ts). */
export const JOB_RETRY: Backoff = { baseMs: 500, factor: 4 };

export function startConsumer(deps: ConsumerDeps, queues: readonly QueueName[], concurrency: number): Promise<Subscription> {
  return deps.queue.consume(queues, concurrency, async (delivery) => {
    const { job } = delivery;
    // A job resolved against another version of its graph is not ours to run: a worker of
    // that version (a rolling deploy) takes it, or it fails retryably at its deadline.
    const entry = jobEntry(deps.catalogue, job.graph);
    const digest = entry?.digest;
    if (digest !== undefined && digest !== job.digest) {
      deps.metrics.refused.inc();
      deps.log.warn({ requestId: job.requestId, jobId: job.id, graph: job.graph, digest: job.digest, ours: digest }, 'job refused: another graph version');
      if (deps.clock.now() < job.deadline) {
        await new Promise((r) => setTimeout(r, REFUSAL_PAUSE_MS));
        delivery.nack({ requeue: true });
        return;
      }
      const error = unavailable(`No worker runs this version of graph ${job.graph}`);
      await Promise.all([
        deps.queue.publishResult({ v: 1, id: job.id, key: job.key, ok: false, error: error.toBody(), retryable: true }),
        softly(deps, 'release', deps.index.release(job.key), undefined),
      ]);
      delivery.ack();
      return;
    }
    deps.metrics.jobsInFlight.inc();
    try {
      const result = await handleJob(job, deps, undefined, 0, entry, true);
      if (!result.ok && result.retryable && job.attempt < MAX_ATTEMPTS) {
        const delayMs = backoffMs(job.attempt, JOB_RETRY);
        deps.metrics.retries.inc();
        deps.log.warn({ requestId: job.requestId, jobId: job.id, attempt: job.attempt, delayMs, reason: result.error.reason }, 'job will be retried');
        await deps.queue.publish({ ...job, attempt: job.attempt + 1 }, { delayMs });
        delivery.ack();
        return;
      }
      deps.metrics.jobsProcessed.inc({
        graph: job.graph,
        outcome: result.ok ? (result.cached ? 'cached' : 'processed') : 'error',
      });
      if (result.ok) {
        for (const [phase, ms] of Object.entries(result.timings)) deps.metrics.phaseSeconds.observe({ phase }, ms / 1000);
      }
      // A failed job is a warning: a bad input, a timeout, a dependency given up on.
      deps.log[result.ok ? 'info' : 'warn'](
        { requestId: job.requestId, jobId: job.id, key: job.key, graph: job.graph, attempt: job.attempt, redelivered: delivery.redelivered, ok: result.ok, ...(result.ok ? { cached: result.cached, timings: result.timings } : { status: result.error.code, reason: result.error.reason }) },
        'job done',
      );
      // A new result's marker went with its index entry (another bridge queueing the key now is
      // answered from the index); any other's goes once the result is out.
      await deps.queue.publishResult(result);
      if (!result.ok || result.cached) await softly(deps, 'release', deps.index.release(job.key), undefined);
      // A job that failed every attempt stays in the dead letters for the operator.
      if (!result.ok && result.retryable) delivery.nack({ requeue: false });
      else delivery.ack();
    } finally {
      deps.metrics.jobsInFlight.dec();
    }
  });
}
