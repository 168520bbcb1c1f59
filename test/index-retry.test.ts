/**
 * After the result is stored, the index entry is written even when Redis is away for a moment:
 * the write is tried again with backoff (about 3 s in all), so the next request is a hit and
 * not a job. Redis here is this file's own, stopped between the store and the index write.
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
import { backoffMs } from '../shared/backoff.ts';
import { handleJob, INDEX_ATTEMPTS, INDEX_RETRY } from '../worker/consumer.ts';
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
    constructor(private readonly backAfterMs: number) {
      super();
    }
    override async put(objectKey: string, body: Uint8Array, contentType: string): Promise<void> {
      await super.put(objectKey, body, contentType);
      await stopProcess(redis);
      this.back = new Promise<void>((r) => setTimeout(r, this.backAfterMs)).then(async () => {
        redis = await startRedis(port);
      });
    }
  }

  const run = async (backAfterMs: number, key: string) => {
    const client = createRedis(`redis://127.0.0.1:${port}/0`);
    client.on('error', () => {});
    await client.connect();
    const jpg = readFileSync(`${ROOT}examples/gridbear.jpg`);
    const passthrough = catalogue.get('passthrough')!;
    const store = new StoreThatStopsRedis(backAfterMs);
    const deps = consumerDeps(catalogue, processor, { index: new RedisCacheIndex(client), store, readInput: async () => Buffer.from(jpg) });
    const job = makeJob({ key, graph: 'passthrough', digest: passthrough.digest, outtype: 'png' });
    const result = await handleJob(job, deps);
    const indexed = await new RedisCacheIndex(client).get(key).catch(() => null);
    client.disconnect();
    return { result, indexed, back: store.back };
  };

  it('writes the entry once Redis is back within the retry window', async () => {
    const key = 'e'.repeat(40);
    const { result, indexed } = await run(1000, key);
    expect(result).toMatchObject({ ok: true, cached: false, objectKey: expect.stringMatching(new RegExp(`^p/${key}/[0-9a-f]{16}\\.png$`)) });
    expect(indexed).toBe(result.ok && result.objectKey);
  });

  it('gives up softly after the window when Redis stays away: the job succeeds, storage has it', async () => {
    const key = 'f'.repeat(40);
    // The longest the retries can take: every pause at its jitter's top.
    const window = Array.from({ length: INDEX_ATTEMPTS - 1 }, (_, i) => backoffMs(i + 1, INDEX_RETRY, () => 1)).reduce((a, b) => a + b, 0);
    const started = Date.now();
    const { result, back } = await run(window + 3000, key);
    expect(result).toMatchObject({ ok: true, cached: false });
    expect(Date.now() - started).toBeLessThan(window + 2500);
    // Redis back before this file stops it.
    await back;
  });
});
