/**
 * After the result is stored, the index entry is written even when Redis is away: the job does
 * not wait for it (an outage holds no worker slot), and the write is tried again in the
 * background until Redis is back, so a later request is a hit and not a job. Redis here is this
 * file's own, stopped between the store and the index write.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '../scripts/stack.ts';
import { makeJob } from '../shared/contracts/job-queue.contract.ts';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import { MemoryObjectStore } from '../shared/memory/object-store.ts';
import { createRedis, RedisCacheIndex } from '../worker/adapters/redis.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { handleJob } from '../worker/consumer.ts';
import { createProcessor, type Processor } from '../worker/runtime/processor.ts';
import { consumerDeps } from './helpers/consumer.ts';
import { haveRedisServer, startRedis } from './helpers/redis-server.ts';
import { freePort } from './helpers/stack.ts';

const ROOT = new URL('../', import.meta.url).pathname;

describe.skipIf(!haveRedisServer)('index writes after the store', () => {
  let redis: ChildProcess;
  let port = 0;
  let catalogue: Catalogue;
  let processor: Processor;
  beforeAll(async () => {
    port = await freePort();
    redis = await startRedis(port);
    catalogue = await loadCatalogue(`${ROOT}graphs`);
    processor = createProcessor(1, 20_000);
  });
  afterAll(async () => {
    await processor?.close();
    await stopProcess(redis);
  });

  /** A store that stops Redis right after it has stored, and starts it again `backAfterMs` later. */
  class StoreThatStopsRedis extends MemoryObjectStore {
    /** Resolves once Redis is running again. */
    back: Promise<void> = Promise.resolve();
    /** When the result was stored (and Redis stopped). */
    storedAt = 0;
    constructor(private readonly backAfterMs: number) {
      super();
    }
    override async put(objectKey: string, body: Uint8Array, contentType: string): Promise<void> {
      await super.put(objectKey, body, contentType);
      await this.stopRedis();
    }
    override async create(objectKey: string, body: Uint8Array, contentType: string): Promise<boolean> {
      const created = await super.create(objectKey, body, contentType);
      await this.stopRedis();
      return created;
    }
    private async stopRedis(): Promise<void> {
      await stopProcess(redis);
      this.storedAt = Date.now();
      this.back = new Promise<void>((r) => setTimeout(r, this.backAfterMs)).then(async () => {
        redis = await startRedis(port);
      });
    }
  }

  it('answers the job without waiting for Redis, and writes the entry in the background once Redis is back', async () => {
    const key = 'e'.repeat(40);
    const client = createRedis(`redis://127.0.0.1:${port}/0`);
    client.on('error', () => {});
    await client.connect();
    const jpg = readFileSync(`${ROOT}examples/gridbear.jpg`);
    const passthrough = catalogue.get('passthrough')!;
    const store = new StoreThatStopsRedis(3000);
    const deps = consumerDeps(catalogue, processor, { index: new RedisCacheIndex(client), store, readInput: async () => Buffer.from(jpg) });
    const job = makeJob({ key, graph: 'passthrough', digest: passthrough.digest, outtype: 'png' });
    const result = await handleJob(job, deps);
    const answeredAfterStore = Date.now() - store.storedAt;
    expect(result).toMatchObject({ ok: true, cached: false, objectKey: expect.stringMatching(new RegExp(`^p/${key}/[0-9a-f]{16}\\.png$`)) });
    // Redis is away for 3 s: the job did not wait for it; its writes wait instead.
    expect(answeredAfterStore).toBeLessThan(1000);
    expect(deps.indexWrites.size).toBeGreaterThan(0);
    await store.back;
    await expect.poll(() => new RedisCacheIndex(client).get(key).catch(() => null), { timeout: 15_000, interval: 200 }).toBe(result.ok && result.objectKey);
    await expect.poll(() => deps.indexWrites.size, { timeout: 15_000 }).toBe(0);
    // The lineage came too: a purge of the input reaches the result.
    expect((await new RedisCacheIndex(client).lineage({ input: 'files/gridbear.jpg' })).map((r) => r.key)).toContain(key);
    deps.indexWrites.close();
    client.disconnect();
  }, 30_000);
});
