/**
 * The whole request path in one process, for fast tests: the edge app, the real Bridge and
 * consumer, real sharp, and the in-memory queue, index and store (honest adapters).
 */
import { afterAll } from 'vitest';
import { createApp } from '../../edge/app.ts';
import type { BridgeClient } from '../../edge/bridge-client.ts';
import { parseEdgeConfig } from '../../edge/config.ts';
import type { EdgeDeps } from '../../edge/context.ts';
import { MemoryCacheIndex } from '../../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../../shared/memory/job-queue.ts';
import { MemoryKv } from '../../shared/memory/kv.ts';
import { MemoryObjectStore } from '../../shared/memory/object-store.ts';
import type { AppRegistry, CacheIndex, ObjectStore } from '../../shared/ports.ts';
import { MemoryAppRegistry } from '../../shared/memory/app-registry.ts';
import { loadCatalogue } from '../../worker/catalogue.ts';
import type { Adapters } from '../../worker/adapters/index.ts';
import { composeBackend, processorFor } from '../../worker/composition.ts';
import { runCommand } from '../../worker/embedded/kv-commands.ts';
import { loadBackendConfig, type BackendConfig } from '../../worker/config.ts';
import type { Processor } from '../../worker/runtime/processor.ts';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import type { InputReader } from '../../worker/inputs/read-input.ts';
import { createLogger } from '../../worker/log.ts';

export const ROOT = new URL('../../', import.meta.url).pathname;

export const BASE_BINDINGS = {
  UPSTASH_REDIS_REST_URL: 'http://127.0.0.1:1/upstash',
  UPSTASH_REDIS_REST_TOKEN: 'unused-in-process-token',
  IMGFLO_BRIDGE_URL: 'http://127.0.0.1:1',
  IMGFLO_BRIDGE_TOKEN: 'unused-in-process-token',
  IMGFLO_PUBLIC_BASE_URL: 'https://img.example.com',
};

/** The systems a test file started and has not closed: closed when the file's tests end. */
const open = new Set<() => Promise<void>>();
/**
 * The processing processes, shared by the systems of a test file (a job carries all it needs,
 * so a process holds nothing of one system's): started once a file, not once a test.
 */
const pools = new Map<string, Processor>();
afterAll(async () => {
  for (const close of [...open]) await close();
  await Promise.all([...pools.values()].map((p) => p.close()));
  pools.clear();
});

/** The graphs folder's catalogue, read once a file. */
let graphs: Promise<Catalogue> | null = null;
export const originalCatalogue = () => (graphs ??= loadCatalogue(`${ROOT}graphs`));

function sharedProcessor(backend: BackendConfig): Processor {
  const key = `${backend.workerQueues.map((q) => `${q}=${backend.concurrency[q]}`).join(',')}:${backend.processingTimeoutMs}`;
  let pool = pools.get(key);
  if (!pool) pools.set(key, (pool = processorFor(backend)));
  return pool;
}

export async function inProcessSystem(
  options: {
    bindings?: Record<string, string>;
    index?: CacheIndex;
    bridge?: BridgeClient;
    jobTimeoutMs?: number;
    store?: ObjectStore;
    presign?: EdgeDeps['presign'];
    results?: EdgeDeps['results'];
    rateLimit?: EdgeDeps['rateLimit'];
    findApp?: EdgeDeps['findApp'];
    apps?: AppRegistry;
    readInput?: InputReader;
    processingTimeoutMs?: number;
  } = {},
) {
  const catalogue = await originalCatalogue();
  // The backend's own settings and factories (worker/composition.ts), in one process.
  const backend = loadBackendConfig({
    IMGFLO_BRIDGE_TOKEN: BASE_BINDINGS.IMGFLO_BRIDGE_TOKEN,
    IMGFLO_EXAMPLES_DIR: `${ROOT}examples`,
    IMGFLO_FETCH_TIMEOUT_MS: '5000',
    IMGFLO_JOB_TIMEOUT_MS: String(options.jobTimeoutMs ?? 20_000),
    IMGFLO_PROCESSING_TIMEOUT_MS: String(options.processingTimeoutMs ?? 20_000),
    IMGFLO_LOG_LEVEL: 'silent',
  });
  // The adapters this system chooses: in memory, honest, and the caller's where given.
  const kv = new MemoryKv();
  const index = new MemoryCacheIndex(kv);
  const queue = new MemoryJobQueue();
  const store = options.store ?? new MemoryObjectStore();
  const adapters: Adapters = {
    index,
    apps: options.apps ?? new MemoryAppRegistry(kv),
    queue,
    store,
    localStore: null,
    commands: (command) => runCommand(kv, command),
    checks: {},
    describe: { index: 'memory', queue: 'memory', store: 'memory' },
    close: async () => {},
  };
  // The backend as a process composes it (worker/composition.ts), with this file's processing pool.
  const { bridge, metrics, close: closeBackend } = await composeBackend(backend, {
    catalogue,
    adapters,
    log: createLogger('silent'),
    processor: sharedProcessor(backend),
    ...(options.readInput && { readInput: options.readInput }),
  });
  const close = async () => {
    open.delete(close);
    await closeBackend();
  };
  open.add(close);
  const config = parseEdgeConfig({ ...BASE_BINDINGS, ...options.bindings });
  let now = Date.now();
  const logs: Array<Record<string, unknown>> = [];
  const deps: EdgeDeps = {
    config,
    catalogue,
    index: options.index ?? index,
    bridge: options.bridge ?? ((job) => bridge!.submit(job)),
    findApp: options.findApp ?? (async (key) => config.apps.get(key) ?? null),
    assets: null,
    pkg: { name: 'imgflo', version: '0.0.0-test' },
    presign: options.presign ?? null,
    rateLimit: options.rateLimit ?? null,
    // The public bucket: the stored object at its URL, as the embedded /cache/ route serves it.
    fetchResult: async (url) => {
      const object = await store.get(url.replace(`${config.publicBaseUrl}/`, ''));
      return object ? new Response(object.body as Uint8Array<ArrayBuffer>, { headers: { 'content-type': object.contentType } }) : new Response(null, { status: 404 });
    },
    results: options.results ?? null,
    resultsCache: null,
    now: () => now,
    log: (line) => logs.push(line),
  };
  const app = createApp(deps);
  const counter = async (name: string, labels: Record<string, string> = {}) => {
    const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name);
    return (metric?.values ?? [])
      .filter((v) => Object.entries(labels).every(([k, val]) => v.labels[k] === val))
      .reduce((sum, v) => sum + v.value, 0);
  };
  return {
    app,
    logs,
    index,
    store,
    queue,
    metrics,
    /** Jobs published to the queue so far. */
    published: () => counter('imgflo_jobs_published_total'),
    /** Jobs a worker processed (not answered from the cache) so far. */
    processed: () => counter('imgflo_jobs_processed_total', { outcome: 'processed' }),
    setNow: (ms: number) => {
      now = ms;
    },
    request: (path: string, init?: RequestInit) => app.request(`http://edge.test${path}`, init),
    /** Stops its consumers (done for every system when its test file ends; the processing processes then too). */
    close,
  };
}
