/**
 * How the backend's parts are put together from its configuration and its adapters — one place,
 * used by the backend process (backend.ts, which chooses the adapters from the settings) and by
 * the tests that run the same backend in process (which choose in-memory ones).
 */
import { Hono } from 'hono';
import { errorResponse } from '../shared/error-response.ts';
import { notFound } from '../shared/errors.ts';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import { systemClock, type AppRegistry, type CacheIndex, type JobQueue, type ObjectStore, type Subscription } from '../shared/ports.ts';
import type { Adapters } from './adapters/index.ts';
import { createBridgeApp } from './bridge/app.ts';
import { Bridge } from './bridge/bridge.ts';
import type { BackendConfig } from './config.ts';
import { startConsumer, type ConsumerDeps } from './consumer.ts';
import { createCacheRoute } from './embedded/cache-route.ts';
import { createUpstashEndpoint } from './embedded/upstash-endpoint.ts';
import { healthRoutes } from './health.ts';
import { createInputReader, createSourceChecker, type InputReader } from './inputs/read-input.ts';
import type { Logger } from './log.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { purgeRoutes } from './purge.ts';
import { startSweeping } from './results.ts';
import { PendingIndexWrites } from './index-writes.ts';
import { createProcessor, type Processor } from './runtime/processor.ts';

export interface Parts {
  catalogue: Catalogue;
  index: CacheIndex;
  queue: JobQueue;
  metrics: Metrics;
  log: Logger;
}

/**
 * Up to one processing process per job the worker runs at once; those of its urgent jobs kept
 * warm (a worker without urgent jobs keeps all of its own warm), the others started on demand.
 */
export function processorFor(config: BackendConfig): Processor {
  const processes = config.workerQueues.reduce((n, q) => n + config.concurrency[q], 0);
  const warm = config.workerQueues.includes('urgent') ? config.concurrency.urgent : processes;
  return createProcessor(processes, config.processingTimeoutMs, { warm, memoryLimitMb: config.processingMemoryMb, sharpConcurrency: config.sharpConcurrency });
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
    maxVideoSeconds: config.maxVideoSeconds,
    processingTimeoutMs: config.processingTimeoutMs,
    videoProcessingTimeoutMs: config.videoProcessingTimeoutMs,
    indexWrites: new PendingIndexWrites({ log: parts.log }),
    failureTtlSeconds: config.failureTtlSeconds,
    objectPrefix: config.objectPrefix,
    sizeLimitMegapixels: config.sizeLimitMegapixels,
  };
}

/** The worker's consumers, one per queue it takes: a backlog in one never delays another. */
export async function startConsumers(config: BackendConfig, deps: ConsumerDeps): Promise<Subscription[]> {
  const subscriptions: Subscription[] = [];
  for (const q of config.workerQueues) subscriptions.push(await startConsumer(deps, [q], config.concurrency[q]));
  return subscriptions;
}

export function bridgeFor(config: BackendConfig, parts: Parts & { apps: AppRegistry }): Bridge {
  return new Bridge({ ...parts, clock: systemClock, jobTimeoutMs: config.jobTimeoutMs, videoJobTimeoutMs: config.videoJobTimeoutMs, maxQueue: config.maxQueue });
}

export interface ComposedBackend {
  /** Its routes: the bridge's /jobs, /health, /ready, /metrics, purging, /cache/ and /upstash, as its role and adapters have them. */
  app: Hono;
  /** Null for a role that runs no bridge. */
  bridge: Bridge | null;
  metrics: Metrics;
  /**
   * Stops taking jobs and sweeping, then (once `stopped` resolves: the server closed) waits for
   * the jobs in flight, and closes what it started: the bridge, its processing processes and
   * the adapters.
   */
  close(stopped?: Promise<void>): Promise<void>;
}

/**
 * The backend of a role. A processor given is the caller's (not closed here); without one, a
 * worker role starts its own pool.
 */
export async function composeBackend(
  config: BackendConfig,
  parts: { catalogue: Catalogue; adapters: Adapters; log: Logger; processor?: Processor; readInput?: InputReader },
): Promise<ComposedBackend> {
  const { catalogue, adapters, log } = parts;
  const { index, queue, store } = adapters;
  const runsWorkers = config.role === 'all' || config.role === 'worker';
  const runsBridge = config.role === 'all' || config.role === 'bridge';
  const metrics = createMetrics(queue ? (u) => queue.depth(u) : undefined);

  let subscriptions: Subscription[] = [];
  let indexWrites: PendingIndexWrites | null = null;
  let closing = false;
  let stopSweeping = () => {};
  const ownProcessor = runsWorkers && !parts.processor ? processorFor(config) : null;
  const processor = runsWorkers ? (parts.processor ?? ownProcessor) : null;
  if (processor && queue && store) {
    const deps = consumerDeps(config, { catalogue, index, store, queue, metrics, log, processor, ...(parts.readInput && { readInput: parts.readInput }) });
    indexWrites = deps.indexWrites;
    // Jobs are taken once every processing process is up and warm (child.ts): a worker that
    // scales out adds capacity, not the latency of its start. Meanwhile /ready says so.
    void processor
      .ready()
      .then(async () => {
        if (closing) return;
        const started = (subscriptions = await startConsumers(config, deps));
        // Closed while they started: they stop at once (a close never waits for a start).
        if (closing) await Promise.all(started.map((s) => s.cancel()));
      })
      .catch((e: unknown) => log.error({ err: e }, 'cannot start consuming jobs'));
    // Every worker sweeps: removing an object twice is harmless, and one left running suffices.
    stopSweeping = startSweeping({
      store,
      keepSeconds: config.retiredKeepSeconds,
      now: Date.now,
      onError: (e) => log.warn({ err: e }, 'sweep of retired results failed; trying again at the next'),
      onSwept: (keys) => log.info({ removed: keys.length }, 'retired results removed'),
    });
  }

  const app = new Hono();
  const bridge = runsBridge && queue ? bridgeFor(config, { catalogue, queue, index, apps: adapters.apps, metrics, log }) : null;
  if (bridge) app.route('/', createBridgeApp({ bridge, bridgeToken: config.bridgeToken, metrics, log }));
  const checks = processor ? { ...adapters.checks, processing: () => processor.ready() } : adapters.checks;
  app.route('/', healthRoutes({ role: config.role, checks, live: () => (bridge ? { inFlight: bridge.inFlight } : {}) }));
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  // Purging needs the store; it answers only to the bridge token (a worker given one purges too).
  if (store && config.bridgeToken) app.route('/', purgeRoutes({ index, store, token: config.bridgeToken, graphs: new Set(catalogue.keys()), cdn: config.cdn, now: Date.now }));
  if (adapters.localStore) app.route('/cache', createCacheRoute(adapters.localStore));
  if (config.upstashToken) app.route('/upstash', createUpstashEndpoint(config.upstashToken, adapters.commands));
  app.notFound(() => errorResponse(notFound()));

  return {
    app,
    bridge,
    metrics,
    close: async (stopped) => {
      closing = true;
      stopSweeping();
      await Promise.all(subscriptions.map((s) => s.cancel()));
      await stopped;
      for (let i = 0; i < 100 && Number((await metrics.jobsInFlight.get()).values[0]?.value ?? 0) > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      bridge?.close();
      indexWrites?.close();
      await ownProcessor?.close();
      await adapters.close();
    },
  };
}
