/** The worker's dependencies for a test that runs jobs in process: honest in-memory adapters by default. */
import { MemoryCacheIndex } from '../../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../../shared/memory/job-queue.ts';
import { MemoryKv } from '../../shared/memory/kv.ts';
import { MemoryObjectStore } from '../../shared/memory/object-store.ts';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { systemClock } from '../../shared/ports.ts';
import type { ConsumerDeps } from '../../worker/consumer.ts';
import { createLogger } from '../../worker/log.ts';
import { createMetrics } from '../../worker/metrics.ts';
import { PendingIndexWrites } from '../../worker/index-writes.ts';
import type { Processor } from '../../worker/runtime/processor.ts';

export function consumerDeps<O extends Partial<ConsumerDeps>>(catalogue: Catalogue, processor: Processor, overrides: O = {} as O): ConsumerDeps & O {
  return {
    catalogue,
    index: new MemoryCacheIndex(new MemoryKv()),
    store: new MemoryObjectStore(),
    queue: new MemoryJobQueue(),
    readInput: async () => {
      throw new Error('no inputs in this test');
    },
    checkSource: async () => {
      throw new Error('no sources to check in this test');
    },
    sourceMaxAgeSeconds: null,
    clock: systemClock,
    metrics: createMetrics(),
    log: createLogger('silent'),
    cacheTtlSeconds: 60,
    maxInputPixels: 1e6,
    maxFrames: 50,
    processingTimeoutMs: 20_000,
    processor,
    indexWrites: new PendingIndexWrites({ log: createLogger('silent') }),
    failureTtlSeconds: 60,
    objectPrefix: 'p',
    sizeLimitMegapixels: 25,
    ...overrides,
  };
}
