/**
 * Starts the backend: the bridge's HTTP server and the workers. Embedded (the default): one
 * process with an in-process queue, an in-memory index behind an Upstash-compatible endpoint,
 * and local-disk storage served at /cache/.
 */
import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { join } from 'node:path';
import { MemoryCacheIndex } from '../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../shared/memory/job-queue.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { systemClock, type Subscription } from '../shared/ports.ts';
import { createBridgeApp } from './bridge/app.ts';
import { Bridge } from './bridge/bridge.ts';
import { loadCatalogue } from './catalogue.ts';
import { ConfigError, loadBackendConfig } from './config.ts';
import { startConsumer, type ConsumerDeps } from './consumer.ts';
import { createCacheRoute } from './embedded/cache-route.ts';
import { runCommand } from './embedded/kv-commands.ts';
import { createUpstashEndpoint } from './embedded/upstash-endpoint.ts';
import { createInputReader } from './inputs/read-input.ts';
import { createLogger } from './log.ts';
import { createMetrics } from './metrics.ts';
import { LocalDiskObjectStore } from './storage/local-disk.ts';

export interface Backend {
  url: string;
  close(): Promise<void>;
}

export async function startBackend(env: Record<string, string | undefined>): Promise<Backend> {
  const config = loadBackendConfig(env);
  if (!config.upstashToken) {
    throw new ConfigError('invalid configuration: UPSTASH_REDIS_REST_TOKEN: the embedded index endpoint needs a token');
  }
  const log = createLogger(config.logLevel);
  const metrics = createMetrics();
  const catalogue = await loadCatalogue(config.graphsDir);
  const kv = new MemoryKv();
  const queue = new MemoryJobQueue();
  const store = new LocalDiskObjectStore(join(config.dataDir, 'objects'));

  const deps: ConsumerDeps = {
    catalogue,
    index: new MemoryCacheIndex(kv),
    store,
    queue,
    readInput: createInputReader(config),
    clock: systemClock,
    metrics,
    log,
    cacheTtlSeconds: config.cacheTtlSeconds,
    maxInputPixels: config.maxInputPixels,
  };
  // Urgent jobs have their own consumer, so a background backlog never delays them.
  const subscriptions: Subscription[] = [
    await startConsumer(deps, ['urgent'], config.workerConcurrency),
    await startConsumer(deps, ['background'], 1),
  ];
  const bridge = new Bridge({ queue, clock: systemClock, metrics, log, objectPrefix: config.objectPrefix, jobTimeoutMs: config.jobTimeoutMs });

  const app = new Hono();
  app.route('/cache', createCacheRoute(store));
  app.route('/upstash', createUpstashEndpoint(config.upstashToken, (cmd) => runCommand(kv, cmd)));
  app.route('/', createBridgeApp({ bridge, bridgeToken: config.bridgeToken, metrics, log }));

  const server = await new Promise<ServerType>((resolve) => {
    const s = serve({ fetch: app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  log.info({ url, graphs: [...catalogue.keys()], mode: 'embedded' }, 'backend listening');

  return {
    url,
    close: async () => {
      await Promise.all(subscriptions.map((s) => s.cancel()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
      bridge.close();
      await queue.close();
    },
  };
}
