import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeJob } from '../shared/contracts/job-queue.contract.ts';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import type { Job, JobResult } from '../shared/job.ts';
import { MemoryCacheIndex } from '../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../shared/memory/job-queue.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { MemoryObjectStore } from '../shared/memory/object-store.ts';
import { loadCatalogue } from './catalogue.ts';
import { contentDigest } from './runtime/digest.ts';
import { backoffMs } from '../shared/backoff.ts';
import { handleJob, JOB_RETRY, startConsumer } from './consumer.ts';
import { createInputReader, createSourceChecker } from './inputs/read-input.ts';
import { createProcessor } from './runtime/processor.ts';
import { consumerDeps } from '../test/helpers/consumer.ts';

const root = new URL('../', import.meta.url).pathname;
let catalogue: Catalogue;
const processor = createProcessor(2, 20_000);
beforeAll(async () => {
  catalogue = await loadCatalogue(`${root}graphs`);
});
afterAll(() => processor.close());

function deps(inputs: Record<string, Uint8Array>) {
  const reads: string[] = [];
  const readInput = async (input: string) => {
    reads.push(input);
    const bytes = inputs[input];
    if (!bytes) throw new Error('no such input');
    return Buffer.from(bytes);
  };
  return consumerDeps(catalogue, processor, { store: new MemoryObjectStore(), queue: new MemoryJobQueue(), index: new MemoryCacheIndex(new MemoryKv()), readInput, reads });
}

const gif = readFileSync(`${root}examples/time.gif`);
const jpg = readFileSync(`${root}examples/gridbear.jpg`);
const noopJob = (input: string, outtype: Job['outtype']) =>
  makeJob({ graph: 'noop', input, outtype, key: 'c'.repeat(40) });

describe('consumer', () => {
  it('noop stores the input bytes unchanged with the sniffed content type', async () => {
    // Its header is checked like every input's: time.gif's frames are over this file's 1 MP limit.
    expect(await handleJob(noopJob('files/time.gif', 'gif'), deps({ 'files/time.gif': gif }))).toMatchObject({ ok: false, error: { reason: 'input-pixels' } });
    const d = { ...deps({ 'files/time.gif': gif }), maxInputPixels: 1e8 };
    const result = await handleJob(noopJob('files/time.gif', 'gif'), d);
    expect(result).toMatchObject({ ok: true, objectKey: expect.stringMatching(new RegExp(`^p/${'c'.repeat(40)}/[0-9a-f]{16}\\.gif$`)) });
    const stored = await d.store.get(result.ok ? result.objectKey : '');
    expect(stored?.contentType).toBe('image/gif');
    expect(Buffer.compare(Buffer.from(stored!.body), gif)).toBe(0);
  });

  it('noop without an extension keeps the type the bytes have', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const result = await handleJob(noopJob('files/gridbear.jpg', null), d);
    expect(result).toMatchObject({ ok: true, objectKey: expect.stringMatching(new RegExp(`^p/${'c'.repeat(40)}/[0-9a-f]{16}$`)) });
    expect((await d.store.head(result.ok ? result.objectKey : ''))?.contentType).toBe('image/jpeg');
  });

  it('noop refuses to store a non-image or another type than asked (415)', async () => {
    const d = deps({ 'page.html': new TextEncoder().encode('<html><script>alert(1)</script></html>'), 'files/gridbear.jpg': jpg });
    const html = await handleJob(noopJob('page.html', null), d);
    expect(html).toMatchObject({ ok: false, error: { code: 415, reason: 'unsupported-input' } });
    const mismatch = await handleJob(noopJob('files/gridbear.jpg', 'gif'), d);
    expect(mismatch).toMatchObject({ ok: false, error: { code: 415 } });
    expect(await d.store.list('p/')).toEqual([]);
  });

  it('answers 415 for bytes that are not a decodable image and 422 for too many pixels', async () => {
    const d = deps({ junk: new Uint8Array([1, 2, 3, 4]), big: await sharp({ create: { width: 2000, height: 1000, channels: 3, background: '#fff' } }).png().toBuffer() });
    expect(await handleJob(makeJob({ input: 'junk' }), d)).toMatchObject({ ok: false, error: { code: 415, reason: 'unsupported-input' } });
    expect(await handleJob(makeJob({ input: 'big', key: 'b'.repeat(40) }), d)).toMatchObject({ ok: false, error: { code: 422, reason: 'input-pixels' } });
  });

  it('re-indexes a result that is stored already, without processing it again', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const job = makeJob({ graph: 'passthrough', outtype: 'png', params: { ignored: '' } });
    const first = await handleJob(job, d);
    expect(first).toMatchObject({ ok: true, cached: false, objectKey: expect.stringMatching(new RegExp(`^p/${job.key}/[0-9a-f]{16}\\.png$`)) });
    await d.index.delete(job.key);
    expect(await handleJob({ ...job, id: 'again' }, d)).toMatchObject({ ok: true, cached: true });
    expect(await d.index.get(job.key)).toBe(first.ok && first.objectKey);
  });

  it('stores a result made again from a changed source as a new object, and retires the one it replaces', async () => {
    const inputs = { 'files/gridbear.jpg': jpg };
    const d = deps(inputs);
    const job = makeJob({ graph: 'passthrough', outtype: 'png' });
    const first = await handleJob(job, d);
    inputs['files/gridbear.jpg'] = await sharp({ create: { width: 32, height: 24, channels: 3, background: '#a30' } }).jpeg().toBuffer();
    const second = await handleJob({ ...job, id: 'again', nocache: true }, d);
    if (!first.ok || !second.ok) throw new Error('both jobs should succeed');
    expect(second.objectKey).not.toBe(first.objectKey);
    expect(await d.index.get(job.key)).toBe(second.objectKey);
    // The old object keeps its old bytes, retired: out of use, removed by the sweep later.
    expect((await sharp((await d.store.get(first.objectKey))!.body).metadata()).width).toBe((await sharp(jpg).metadata()).width);
    expect((await sharp((await d.store.get(second.objectKey))!.body).metadata()).width).toBe(32);
    expect((await d.store.list('retired/')).map((m) => m.key)).toEqual([`retired/${first.objectKey}`]);
  });

  it('revalidates a result: an unchanged source keeps it (fresh again), a changed one makes a new result, chained inputs too', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgflo-sources-'));
    const photo = (background: string) => sharp({ create: { width: 40, height: 30, channels: 3, background } }).png().toBuffer();
    writeFileSync(join(dir, 'photo.png'), await photo('#c03030'));
    const reader = { examplesDir: dir, maxInputBytes: 1e7, fetchTimeoutMs: 5000 };
    const d = consumerDeps(catalogue, processor, { readInput: createInputReader(reader), checkSource: createSourceChecker(reader), sourceMaxAgeSeconds: 30 });
    const runs = () => d.metrics.revalidations.get().then((m) => Object.fromEntries(m.values.map((v) => [v.labels.outcome, v.value])));
    const direct = makeJob({ graph: 'passthrough', outtype: 'png', input: 'files/photo.png', key: 'd'.repeat(40) });
    const chained = makeJob({ graph: 'passthrough', outtype: 'png', input: 'graph/passthrough.png?input=files%2Fphoto.png&width=20', key: 'e'.repeat(40) });
    const made = await Promise.all([handleJob(direct, d), handleJob(chained, d)]);
    expect(made).toMatchObject([{ ok: true, cached: false }, { ok: true, cached: false }]);
    expect(await d.index.sources(direct.key)).toEqual([{ input: 'files/photo.png', digest: expect.stringMatching(/^[0-9a-f]{16}$/) }]);
    expect(await d.index.claimStale(direct.key, 60)).toBe(false);

    // Unchanged: the same objects, nothing processed, fresh again.
    const same = await Promise.all([handleJob({ ...direct, revalidate: true }, d), handleJob({ ...chained, revalidate: true }, d)]);
    expect(same.map((r) => r.ok && [r.objectKey, r.cached])).toEqual(made.map((r) => r.ok && [r.objectKey, true]));
    expect(await runs()).toEqual({ unchanged: 3 });

    // The file changes: each result is made again, as a new object; the old ones are retired.
    writeFileSync(join(dir, 'photo.png'), await photo('#3030c0'));
    const changed = await Promise.all([handleJob({ ...direct, revalidate: true }, d), handleJob({ ...chained, revalidate: true }, d)]);
    for (const [i, r] of changed.entries()) {
      expect(r).toMatchObject({ ok: true, cached: false });
      expect(r.ok && r.objectKey).not.toBe(made[i]!.ok && made[i]!.objectKey);
      const { channels } = await sharp((await d.store.get(r.ok ? r.objectKey : ''))!.body).stats();
      expect(channels[2]!.mean).toBeGreaterThan(150);
    }
    expect(await d.index.get(direct.key)).toBe(changed[0]!.ok && changed[0]!.objectKey);
    // Retired: both old results, and the chained input's own old result.
    const retired = (await d.store.list('retired/')).map((m) => m.key);
    expect(retired).toHaveLength(3);
    expect(retired).toEqual(expect.arrayContaining(made.map((r) => `retired/${r.ok && r.objectKey}`)));
    expect((await runs()).changed).toBeGreaterThanOrEqual(2);
  });

  it('answers from storage even when the input is gone meanwhile', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const job = makeJob({ graph: 'passthrough', outtype: 'png', params: { ignored: 'gone' } });
    expect(await handleJob(job, d)).toMatchObject({ ok: true, cached: false });
    await d.index.delete(job.key);
    expect(await handleJob({ ...job, id: 'again', input: 'files/missing.jpg' }, d)).toMatchObject({ ok: true, cached: true });
  });

  it('reprocesses with nocache even when the result is indexed', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const job = makeJob({ graph: 'passthrough', outtype: 'png', params: { ignored: '' } });
    await handleJob(job, d);
    expect(await handleJob({ ...job, nocache: true }, d)).toMatchObject({ ok: true, cached: false });
    expect(d.reads.length).toBe(2);
  });

  it('gives a video job the processing deadline of the video queue, and an image that of its own', async () => {
    const video = readFileSync(`${root}examples/video-3dpmic.mp4`);
    const given: Record<string, number> = {};
    const d = deps({ 'files/video-3dpmic.mp4': video });
    const timed = { ...d, processingTimeoutMs: 10_000, videoProcessingTimeoutMs: 60_000, processor: { ...processor, run: async (task: Parameters<typeof processor.run>[0]) => ((given[task.outtype ?? ''] = task.limits.deadline - Date.now()), processor.run(task)) } };
    expect(await handleJob(makeJob({ graph: 'passthrough', input: 'files/video-3dpmic.mp4', outtype: 'mp4', key: '1'.repeat(40) }), timed)).toMatchObject({ ok: true });
    expect(await handleJob(makeJob({ graph: 'passthrough', input: 'files/video-3dpmic.mp4', outtype: 'jpg', key: '2'.repeat(40) }), timed)).toMatchObject({ ok: true });
    // Each within its own queue's deadline (the image's roomy enough for a poster on a busy machine).
    expect(given.mp4).toBeGreaterThan(55_000);
    expect(given.jpg).toBeLessThanOrEqual(10_000);
  });

  it('reports an unexpected failure as 500 internal with the request id, never the message', async () => {
    const d = deps({});
    const result = await handleJob(makeJob({ requestId: 'req-42', input: 'files/missing.jpg' }), d);
    expect(result).toMatchObject({ ok: false, error: { code: 500, reason: 'internal', requestId: 'req-42' } });
    expect(JSON.stringify(result)).not.toContain('no such input');
  });
});

describe('retries', () => {
  it('backs off exponentially with jitter: about 0.5 s, then 2 s', () => {
    expect(backoffMs(1, JOB_RETRY, () => 0.5)).toBe(500);
    expect(backoffMs(2, JOB_RETRY, () => 0.5)).toBe(2000);
    expect(backoffMs(1, JOB_RETRY, () => 0)).toBe(375);
    expect(backoffMs(1, JOB_RETRY, () => 1)).toBe(625);
    // Capped, then jittered.
    expect(backoffMs(9, { baseMs: 200, factor: 2, capMs: 2000 }, () => 0.5)).toBe(2000);
    expect(backoffMs(9, { baseMs: 200, factor: 2, capMs: 2000 }, () => 1)).toBe(2500);
  });

  it('retries a job whose storage fails, answers 503 after 3 attempts and dead-letters it', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    let puts = 0;
    d.store.put = d.store.create = async () => {
      puts++;
      throw new Error('storage down');
    };
    const queue = d.queue as MemoryJobQueue;
    const results: JobResult[] = [];
    queue.onResult((r) => results.push(r));
    await startConsumer(d, ['urgent'], 1);
    await queue.publish(makeJob({ digest: catalogue.get('passthrough')!.digest, graph: 'passthrough', outtype: 'png', params: { ignored: '' } }));
    for (let i = 0; i < 400 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(puts).toBe(3);
    expect(results).toEqual([expect.objectContaining({ ok: false, retryable: true, error: expect.objectContaining({ code: 503, reason: 'unavailable' }) })]);
    expect(queue.deadLetters.map((j) => j.attempt)).toEqual([3]);
  });

  it('hands back a job of another graph version until its deadline, then answers a retryable 503', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const { queue } = d;
    const results: JobResult[] = [];
    queue.onResult((r) => results.push(r));
    await startConsumer(d, ['urgent'], 1);
    const job = makeJob({ graph: 'passthrough', digest: 'f'.repeat(16), deadline: Date.now() + 600 });
    await queue.publish(job);
    for (let i = 0; i < 100 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(results).toEqual([expect.objectContaining({ ok: false, retryable: true, error: expect.objectContaining({ code: 503, reason: 'unavailable' }) })]);
    expect(Number((await d.metrics.refused.get()).values[0]?.value)).toBeGreaterThan(1);
    expect(d.reads).toEqual([]);
    expect(await d.store.list('p/')).toEqual([]);
  });

  it('succeeds on a later attempt when storage comes back', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const create = d.store.create.bind(d.store);
    let calls = 0;
    d.store.create = async (...args) => {
      if (++calls === 1) throw new Error('storage hiccup');
      return create(...args);
    };
    const queue = d.queue as MemoryJobQueue;
    const results: JobResult[] = [];
    queue.onResult((r) => results.push(r));
    await startConsumer(d, ['urgent'], 1);
    await queue.publish(makeJob({ digest: catalogue.get('passthrough')!.digest, graph: 'passthrough', outtype: 'png', params: { ignored: '' } }));
    for (let i = 0; i < 300 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(results).toEqual([expect.objectContaining({ ok: true, cached: false })]);
    expect(calls).toBe(2);
    expect(queue.deadLetters).toEqual([]);
  });

  it('costs a miss two index round trips (a lookup, then one commit of its entry, sources, lineage and release) and one storage write', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    /** Records each call of a port's methods. */
    const recorded = (port: object, proto: object) => {
      const calls: string[] = [];
      const methods = port as Record<string, (...a: unknown[]) => Promise<unknown>>;
      for (const name of Object.getOwnPropertyNames(proto).filter((n) => n !== 'constructor')) {
        const real = methods[name]!.bind(port);
        methods[name] = (...a: unknown[]) => (calls.push(name), real(...a));
      }
      return calls;
    };
    const calls = recorded(d.index, MemoryCacheIndex.prototype);
    const storeCalls = recorded(d.store, MemoryObjectStore.prototype);
    const queue = d.queue as MemoryJobQueue;
    const results: JobResult[] = [];
    queue.onResult((r) => results.push(r));
    const job = makeJob({ digest: catalogue.get('passthrough')!.digest, graph: 'passthrough', input: 'files/gridbear.jpg', outtype: 'png', params: { ignored: '' } });
    expect(await d.index.claim(job.key, 60_000, 'urgent')).toBe(true);
    calls.length = 0;
    await startConsumer(d, ['urgent'], 1);
    await queue.publish(job);
    for (let i = 0; i < 300 && results.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(results).toEqual([expect.objectContaining({ ok: true, cached: false })]);
    expect(calls).toEqual(['lookup', 'commit']);
    // One listing looks for a result the index lost (an empty folder: no markers to list), then one write.
    expect(storeCalls).toEqual(['list', 'create']);
    // All of it written: the entry, the sources, the lineage, and the marker gone.
    const objectKey = results[0]!.ok ? results[0]!.objectKey : '';
    expect(await d.index.get(job.key)).toBe(objectKey);
    expect(await d.index.sources(job.key)).toEqual([{ input: 'files/gridbear.jpg', digest: contentDigest(jpg) }]);
    expect(await d.index.lineage({ input: 'files/gridbear.jpg' })).toEqual([{ key: job.key, objectKey }]);
    expect(await d.index.claimHolder(job.key)).toBeNull();
  });

  it('writes a record the index refused in the background, without the release: the marker may belong to another job by then', async () => {
    const d = deps({ 'files/gridbear.jpg': jpg });
    const commit = d.index.commit.bind(d.index);
    let refusals = 1;
    d.index.commit = async (c) => {
      if (refusals-- > 0) throw new Error('index away');
      return commit(c);
    };
    const job = makeJob({ digest: catalogue.get('passthrough')!.digest, graph: 'passthrough', input: 'files/gridbear.jpg', outtype: 'png', params: { ignored: '' } });
    const result = await handleJob(job, d, undefined, 0, undefined, true);
    expect(result).toMatchObject({ ok: true, cached: false });
    // Meanwhile the marker lapsed and another job of the key took it.
    expect(await d.index.claim(job.key, 60_000, 'background', { force: true })).toBe(true);
    for (let i = 0; i < 100 && d.indexWrites.size > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(await d.index.get(job.key)).toBe(result.ok ? result.objectKey : '');
    expect(await d.index.claimHolder(job.key)).toBe('background');
  });
});
