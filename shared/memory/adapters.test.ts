import { appRegistryContract } from '../contracts/app-registry.contract.ts';
import { cacheIndexContract } from '../contracts/cache-index.contract.ts';
import { jobQueueContract } from '../contracts/job-queue.contract.ts';
import { objectStoreContract } from '../contracts/object-store.contract.ts';
import { MemoryAppRegistry } from './app-registry.ts';
import { MemoryCacheIndex } from './cache-index.ts';
import { MemoryJobQueue } from './job-queue.ts';
import { MemoryKv } from './kv.ts';
import { MemoryObjectStore } from './object-store.ts';

cacheIndexContract('memory', async () => {
  let now = 1_000_000;
  const kv = new MemoryKv({ now: () => now });
  return {
    index: new MemoryCacheIndex(kv),
    pass: async (ms) => {
      now += ms;
    },
  };
});
jobQueueContract('memory', async () => new MemoryJobQueue());
objectStoreContract('memory', async () => new MemoryObjectStore());
appRegistryContract('memory', async () => new MemoryAppRegistry(new MemoryKv()));
