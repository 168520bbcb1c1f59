/**
 * Starts the backend in its role: `all` (bridge and workers in one process; with no service
 * URLs this is the embedded default), `bridge`, `worker` or `upstash-proxy`. Each role serves
 * /health, /ready and /metrics and connects only to the services it uses, without waiting for
 * them (/ready tells whether they answer); the bridge serves POST /jobs; the local-disk store is
 * served at /cache/; the Upstash-compatible endpoint is at /upstash.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import sharp from 'sharp';
import { errorResponse } from '../shared/error-response.ts';
import { notFound } from '../shared/errors.ts';
import type { Subscription } from '../shared/ports.ts';
import { createAdapters } from './adapters/index.ts';
import { createBridgeApp } from './bridge/app.ts';
import type { Bridge } from './bridge/bridge.ts';
import { loadCatalogue } from './catalogue.ts';
import { loadBackendConfig } from './config.ts';
import { bridgeFor, consumerDeps, processorFor, startConsumers } from './composition.ts';
import { createCacheRoute } from './embedded/cache-route.ts';
import { createUpstashEndpoint } from './embedded/upstash-endpoint.ts';
import { healthRoutes } from './health.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { purgeRoutes } from './purge.ts';
import { startSweeping } from './results.ts';

export interface Backend {
  url: string;
  close(): Promise<void>;
}

export async function startBackend(env: Record<string, string | undefined>): Promise<Backend> {
  const config = loadBackendConfig(env);
  // Every job has new inputs: libvips' operation cache only holds memory.
  sharp.cache(false);
  // Jobs run side by side, so each image gets few libvips threads: more would only contend for
  // the same cores (sharp would take one per core with MALLOC_ARENA_MAX set, as it is here).
  sharp.concurrency(config.sharpConcurrency);
  const log = createLogger(config.logLevel).child({ role: config.role, instance: config.instanceId });
  const catalogue = await loadCatalogue(config.graphsDir);
  const runsWorkers = config.role === 'all' || config.role === 'worker';
  const runsBridge = config.role === 'all' || config.role === 'bridge';
  const adapters = createAdapters(config, log, { queue: runsWorkers || runsBridge, store: runsWorkers });
  const { index, queue, store } = adapters;
  const metrics = createMetrics(queue ? (u) => queue.depth(u) : undefined);

  let subscriptions: Subscription[] = [];
  let stopSweeping = () => {};
  const processor = runsWorkers ? processorFor(config) : null;
  if (processor && queue && store) {
    subscriptions = await startConsumers(config, consumerDeps(config, { catalogue, index, store, queue, metrics, log, processor }));
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
  let bridge: Bridge | null = null;
  if (runsBridge && queue) {
    const b = (bridge = bridgeFor(config, { catalogue, queue, index, apps: adapters.apps, metrics, log }));
    app.route('/', createBridgeApp({ bridge: b, bridgeToken: config.bridgeToken, metrics, log }));
  }
  app.route('/', healthRoutes({ role: config.role, checks: adapters.checks, live: () => (bridge ? { inFlight: bridge.inFlight } : {}) }));
  app.get('/metrics', async (c) => {
    c.header('Content-Type', metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  // Purging needs the store; it answers only to the bridge token (a worker given one purges too).
  if (store && config.bridgeToken) app.route('/', purgeRoutes({ index, store, token: config.bridgeToken, graphs: new Set(catalogue.keys()), cdn: config.cdn, now: Date.now }));
  if (adapters.localStore) app.route('/cache', createCacheRoute(adapters.localStore));
  if (config.upstashToken) app.route('/upstash', createUpstashEndpoint(config.upstashToken, adapters.commands));
  app.notFound(() => errorResponse(notFound()));

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  log.info({ url, graphs: [...catalogue.keys()], ...adapters.describe }, 'backend listening');

  return {
    url,
    close: async () => {
      // Stop taking jobs, let those in flight finish, then close the connections.
      stopSweeping();
      await Promise.all(subscriptions.map((s) => s.cancel()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      for (let i = 0; i < 100 && Number((await metrics.jobsInFlight.get()).values[0]?.value ?? 0) > 0; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      bridge?.close();
      await processor?.close();
      await adapters.close();
    },
  };
}
