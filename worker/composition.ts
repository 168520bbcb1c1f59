/**
 * How the backend's parts are put together from its configuration — one place, used by the
 * backend process (backend.ts) and by the tests that run the same parts in process.
 */
import type { Catalogue } from '../shared/graph/catalogue.ts';
import { systemClock, type AppRegistry, type CacheIndex, type JobQueue, type ObjectStore, type Subscription } from '../shared/ports.ts';
import { Bridge } from './bridge/bridge.ts';
import type { BackendConfig } from './config.ts';
import { startConsumer, type ConsumerDeps } from './consumer.ts';
import { createInputReader, createSourceChecker, type InputReader } from './inputs/read-input.ts';
import type { Logger } from './log.ts';
import type { Metrics } from './metrics.ts';
import { createProcessor, type Processor } from './runtime/processor.ts';

export interface Parts {
  catalogue: Catalogue;
  index: CacheIndex;
  queue: JobQueue;
  metrics: Metrics;
  log: Logger;
}

/** One processing process per job the worker runs at once. */
export function processorFor(config: BackendConfig): Processor {
  const processes = config.workerQueues.reduce((n, q) => n + (q === 'urgent' ? config.workerConcurrency : config.backgroundConcurrency), 0);
  return createProcessor(processes, config.processingTimeoutMs, { memoryLimitMb: config.processingMemoryMb, sharpConcurrency: config.sharpConcurrency });
}

export function consumerDeps(config: BackendConfig, parts: Parts & { store: ObjectStore; processor: Processor; readInput?: InputReader }): ConsumerDeps {
  return {
    ...parts,
    readInput: parts.readInput ?? createInputReader(config),
    checkSource: createSourceChecker(config),
    sourceMaxAgeSeconds: config.sourceMaxAgeSeconds,
    clock: systemClock,
    cacheTtlSeconds: config.cacheTtlSeconds,
    maxInputPixels: config.maxInputPixels,
    maxFrames: config.maxFrames,
    processingTimeoutMs: config.processingTimeoutMs,
    failureTtlSeconds: config.failureTtlSeconds,
    objectPrefix: config.objectPrefix,
    sizeLimitMegapixels: config.sizeLimitMegapixels,
  };
}

/** The worker's consumers: urgent jobs have their own, so a background backlog never delays them. */
export async function startConsumers(config: BackendConfig, deps: ConsumerDeps): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  if (config.workerQueues.includes('urgent')) subscriptions.push(await startConsumer(deps, ['urgent'], config.workerConcurrency));
  if (config.workerQueues.includes('background')) subscriptions.push(await startConsumer(deps, ['background'], config.backgroundConcurrency));
  return subscriptions;
}

export function bridgeFor(config: BackendConfig, parts: Parts & { apps: AppRegistry }): Bridge {
  return new Bridge({ ...parts, clock: systemClock, jobTimeoutMs: config.jobTimeoutMs, maxQueue: { urgent: config.maxUrgentQueue, background: config.maxBackgroundQueue } });
}
