import { describe, expect, it } from 'vitest';
import type { Job, JobRequest, JobResult } from '../../shared/job.ts';
import { MemoryAppRegistry } from '../../shared/memory/app-registry.ts';
import { MemoryCacheIndex } from '../../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../../shared/memory/job-queue.ts';
import { MemoryKv } from '../../shared/memory/kv.ts';
import { systemClock, type Delivery } from '../../shared/ports.ts';
import { createLogger } from '../log.ts';
import { createMetrics } from '../metrics.ts';
import { Bridge } from './bridge.ts';

const request = (overrides: Partial<JobRequest> = {}): JobRequest => ({
  v: 1,
  requestId: 'r',
  key: 'b'.repeat(40),
  graph: 'passthrough',
  digest: '0'.repeat(16),
  outtype: 'png',
  input: 'files/gridbear.jpg',
  params: {},
  urgency: 'urgent',
  nocache: false,
  app: null,
  quota: null,
  revalidate: false,
  ...overrides,
});

/** A queue whose publishing can be turned off, as a broker that is down refuses it. */
class FlakyQueue extends MemoryJobQueue {
  down = false;
  override async publish(job: Job, options?: { delayMs?: number }): Promise<void> {
    if (this.down) throw new Error('broker down');
    return super.publish(job, options);
  }
}

function setup(jobTimeoutMs = 5000, shared?: { queue: FlakyQueue; kv: MemoryKv }, leaseMs?: number) {
  const queue = shared?.queue ?? new FlakyQueue();
  const kv = shared?.kv ?? new MemoryKv();
  const index = new MemoryCacheIndex(kv);
  const states: string[] = [];
  const bridge = new Bridge({
    queue,
    index,
    apps: new MemoryAppRegistry(kv),
    clock: systemClock,
    metrics: createMetrics(),
    log: createLogger('silent'),
    jobTimeoutMs,
    ...(leaseMs !== undefined && { leaseMs }),
    onTransition: (_key, state) => states.push(state),
  });
  const deliveries: Delivery[] = [];
  return { queue, kv, index, bridge, states, deliveries, listen: () => queue.consume(['urgent', 'background'], 100, async (d) => void deliveries.push(d)) };
}

const resultOf = (job: Job) => `p/${job.key}/0123456789abcdef.${job.outtype}`;
const done = (job: Job): JobResult => ({ v: 1, id: job.id, key: job.key, ok: true, objectKey: resultOf(job), cached: false, timings: { queue: 0, fetch: 0, process: 0, upload: 0 } });

const until = async (cond: () => boolean | Promise<boolean>) => {
  for (let i = 0; i < 200 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 5));
};

/** How many requests joined a job in flight, as the metric counts them. */
const joinedCount = async (metrics: ReturnType<typeof createMetrics>) => (await metrics.coalesced.get()).values.reduce((n, v) => n + v.value, 0);

describe('bridge', () => {
  it('answers an urgent request with the object key from the result', async () => {
    const { queue, bridge, deliveries, listen } = setup();
    await listen();
    const answer = bridge.submit(request());
    await until(() => deliveries.length === 1);
    const job = deliveries[0]!.job;
    expect(job).toMatchObject({ key: 'b'.repeat(40), outtype: 'png', attempt: 1 });
    expect(job.deadline - job.createdAt).toBe(5000);
    await queue.publishResult({ v: 1, id: job.id, key: job.key, ok: true, objectKey: resultOf(job), cached: false, timings: { queue: 0, fetch: 0, process: 0, upload: 0 } });
    expect(await answer).toEqual({ status: 200, objectKey: resultOf(job) });
  });

  it('passes a typed error of the worker on to the client', async () => {
    const { queue, bridge, deliveries, listen } = setup();
    await listen();
    const answer = bridge.submit(request());
    await until(() => deliveries.length === 1);
    const { job } = deliveries[0]!;
    await queue.publishResult({ v: 1, id: job.id, key: job.key, ok: false, error: { error: 'Failed to fetch input x: HTTP error 404', code: 504, reason: 'input-fetch-failed', input: 'x' }, retryable: false });
    await expect(answer).rejects.toMatchObject({ status: 504, reason: 'input-fetch-failed', extra: { input: 'x' } });
  });

  it('gives up waiting after the job timeout with 503 timeout, and a later request gets the result', async () => {
    const { queue, bridge, deliveries, listen } = setup(150);
    await listen();
    await expect(bridge.submit(request())).rejects.toMatchObject({ status: 503, reason: 'timeout' });
    const later = bridge.submit(request());
    expect(deliveries.length).toBe(1);
    const { job } = deliveries[0]!;
    await queue.publishResult({ v: 1, id: job.id, key: job.key, ok: true, objectKey: resultOf(job), cached: false, timings: { queue: 0, fetch: 0, process: 0, upload: 0 } });
    expect((await later).status).toBe(200);
  });

  it('answers background requests at once with 202, and gives a later urgent request its own urgent job', async () => {
    const { bridge, deliveries, listen } = setup();
    await listen();
    expect(await bridge.submit(request({ urgency: 'background' }))).toEqual({ status: 202 });
    expect(await bridge.submit(request({ urgency: 'background' }))).toMatchObject({ status: 202 });
    void bridge.submit(request()).catch(() => {});
    void bridge.submit(request()).catch(() => {});
    await until(() => deliveries.length === 2);
    await new Promise((r) => setTimeout(r, 20));
    expect(deliveries.map((d) => d.job.urgency)).toEqual(['background', 'urgent']);
    bridge.close();
  });

  it('answers 503 unavailable when the queue refuses the job', async () => {
    const { queue, bridge } = setup();
    await queue.close();
    await expect(bridge.submit(request())).rejects.toMatchObject({ status: 503, reason: 'unavailable' });
  });

  it('releases the marker when publishing fails, so the retry publishes at once and is answered', async () => {
    const { queue, index, bridge, states, deliveries, listen } = setup();
    await listen();
    queue.down = true;
    await expect(bridge.submit(request())).rejects.toMatchObject({ status: 503, reason: 'unavailable', extra: { retryAfter: 5 } });
    expect(await index.claimHolder('b'.repeat(40))).toBeNull();
    expect(bridge.inFlight).toBe(0);
    queue.down = false;
    const retry = bridge.submit(request());
    await until(() => deliveries.length === 1);
    await queue.publishResult(done(deliveries[0]!.job));
    expect((await retry).status).toBe(200);
    expect(states).toEqual(['claimed', 'failed', 'claimed', 'published', 'answered']);
  });

  it('answers every request waiting on a job whose publish failed, not only the first', async () => {
    const { queue, bridge } = setup();
    queue.down = true;
    const first = bridge.submit(request({ urgency: 'background' })).catch((e) => e);
    const second = bridge.submit(request()).catch((e) => e);
    expect(await first).toMatchObject({ status: 503, reason: 'unavailable' });
    expect(await second).toMatchObject({ status: 503, reason: 'unavailable' });
    expect(bridge.inFlight).toBe(0);
  });

  it('takes over a job whose marker outlives its owner, within about a lease', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const a = setup(5000, { queue, kv }, 200);
    const b = setup(5000, { queue, kv }, 200);
    // Bridge A claims the key, but dies before its job is queued: only its marker is left.
    await a.index.claim('b'.repeat(40), 200, 'urgent');
    const started = Date.now();
    await b.listen();
    const answer = b.bridge.submit(request());
    await until(() => b.deliveries.length === 1);
    expect(Date.now() - started).toBeLessThan(600);
    await queue.publishResult(done(b.deliveries[0]!.job));
    expect((await answer).status).toBe(200);
    expect(b.states).toEqual(['joined', 'published', 'answered']);
  });

  it('gives an urgent request on another bridge an urgent job when the key is queued as background', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const a = setup(5000, { queue, kv });
    const b = setup(5000, { queue, kv });
    await a.listen();
    expect(await a.bridge.submit(request({ urgency: 'background' }))).toMatchObject({ status: 202 });
    const urgent = b.bridge.submit(request());
    await until(() => a.deliveries.length === 2);
    expect(a.deliveries.map((d) => d.job.urgency)).toEqual(['background', 'urgent']);
    expect(await a.index.claimHolder('b'.repeat(40))).toBe('urgent');
    // The urgent job's result answers both bridges; the background one then finds it done.
    await queue.publishResult(done(a.deliveries[1]!.job));
    expect((await urgent).status).toBe(200);
    expect(a.states).toEqual(['claimed', 'published', 'answered']);
    expect(b.states).toEqual(['joined', 'published', 'answered']);
  });

  it('joins a job another bridge holds as urgent, without publishing it again', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const a = setup(5000, { queue, kv });
    const b = setup(5000, { queue, kv });
    await a.listen();
    const first = a.bridge.submit(request());
    await until(() => a.deliveries.length === 1);
    const second = b.bridge.submit(request());
    await until(() => b.states.includes('joined'));
    expect(b.states).toEqual(['joined']);
    expect(a.deliveries).toHaveLength(1);
    await queue.publishResult(done(a.deliveries[0]!.job));
    expect([(await first).status, (await second).status]).toEqual([200, 200]);
    expect(b.states).toEqual(['joined', 'answered']);
  });

  it('renews the marker of its job while it waits, and gives the job up later without leaving timers', async () => {
    const { index, bridge, states, listen } = setup(300, undefined, 100);
    await listen();
    await expect(bridge.submit(request())).rejects.toMatchObject({ status: 503, reason: 'timeout' });
    // 300 ms later the marker still lives: its lease (100 ms) was renewed.
    expect(await index.claimHolder('b'.repeat(40))).toBe('urgent');
    await new Promise((r) => setTimeout(r, 500));
    expect(bridge.inFlight).toBe(0);
    expect(states).toEqual(['claimed', 'published', 'given-up']);
    await new Promise((r) => setTimeout(r, 150));
    expect(await index.claimHolder('b'.repeat(40))).toBeNull();
  });
});

describe('load shedding', () => {
  it('refuses new urgent work with 503 and Retry-After while the urgent queue is over its limit, and nothing else', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const metrics = createMetrics();
    const bridge = new Bridge({ queue, index: new MemoryCacheIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics, log: createLogger('silent'), jobTimeoutMs: 60_000, maxQueue: { urgent: 3 } });
    // Nothing consumes: three urgent jobs wait (their requests keep waiting too).
    const keys = ['1', '2', '3'].map((c) => c.repeat(40));
    for (const key of keys) void bridge.submit(request({ key })).catch(() => undefined);
    for (let i = 0; i < 50 && (await queue.depth('urgent')) < 3; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    await expect(bridge.submit(request({ key: '4'.repeat(40) }))).rejects.toMatchObject({ status: 503, reason: 'unavailable', extra: { retryAfter: 2 } });
    expect(await metrics.registry.getSingleMetricAsString('imgflo_jobs_shed_total')).toMatch(/imgflo_jobs_shed_total\{queue="urgent"\} 1$/m);
    // Pre-warming is not shed, nor is a request that joins work already waiting.
    expect(await bridge.submit(request({ key: '5'.repeat(40), urgency: 'background' }))).toMatchObject({ status: 202 });
    const joined = bridge.submit(request({ key: keys[0]! })).catch((e: unknown) => e);
    joined.catch(() => undefined);
    expect(await Promise.race([joined, new Promise((r) => setTimeout(() => r('still waiting'), 200))])).toBe('still waiting');
    bridge.close();
  });

  it('bounds the background queue too, within one depth sample: 150 pre-warms at once, 40 queued', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const metrics = createMetrics();
    const bridge = new Bridge({ queue, index: new MemoryCacheIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics, log: createLogger('silent'), jobTimeoutMs: 60_000, maxQueue: { background: 40 } });
    const keys = Array.from({ length: 150 }, (_, i) => i.toString(16).padStart(40, '0'));
    const outcomes = await Promise.allSettled(keys.map((key) => bridge.submit(request({ key, urgency: 'background' }))));
    const accepted = outcomes.filter((o) => o.status === 'fulfilled');
    expect(accepted).toHaveLength(40);
    expect(outcomes.filter((o) => o.status === 'rejected').map((o) => (o as PromiseRejectedResult).reason)).toEqual(Array(110).fill(expect.objectContaining({ status: 503, reason: 'unavailable' })));
    expect(await queue.depth('background')).toBe(40);
    // Urgent work is bounded by its own queue alone.
    expect(bridge.submit(request({ key: 'f'.repeat(40) }))).toBeInstanceOf(Promise);
    // Joining a pre-warm already queued is not refused.
    expect(await bridge.submit(request({ key: keys[0]!, urgency: 'background' }))).toMatchObject({ status: 202 });
    bridge.close();
  });

  it('bounds the video queue by its own limit: GETs and pre-warms of video count there, images do not', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const metrics = createMetrics();
    const bridge = new Bridge({ queue, index: new MemoryCacheIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics, log: createLogger('silent'), jobTimeoutMs: 60_000, maxQueue: { urgent: 100, background: 100, video: 2 } });
    const key = (i: number) => i.toString(16).padStart(40, '0');
    expect(await bridge.submit(request({ key: key(1), outtype: 'mp4', urgency: 'background' }))).toMatchObject({ status: 202 });
    void bridge.submit(request({ key: key(2), outtype: 'mp4' })).catch(() => undefined);
    await until(async () => (await queue.depth('video')) === 2);
    // One depth sample later, the bridge knows.
    await new Promise((r) => setTimeout(r, 300));
    await expect(bridge.submit(request({ key: key(3), outtype: 'mp4', urgency: 'background' }))).rejects.toMatchObject({ status: 503, reason: 'unavailable', message: expect.stringMatching(/2 video jobs are waiting/) });
    await expect(bridge.submit(request({ key: key(4), outtype: 'mp4' }))).rejects.toMatchObject({ status: 503, extra: { retryAfter: 2 } });
    expect(await metrics.registry.getSingleMetricAsString('imgflo_jobs_shed_total')).toMatch(/imgflo_jobs_shed_total\{queue="video"\} 2$/m);
    // Images go on as before.
    expect(await bridge.submit(request({ key: key(5), urgency: 'background' }))).toMatchObject({ status: 202 });
    expect([await queue.depth('video'), await queue.depth('background')]).toEqual([2, 1]);
    bridge.close();
  });
});

describe('the video queue', () => {
  it('gives a video job its own deadline, and a GET for it waits that long, not the image timeout', async () => {
    const queue = new FlakyQueue();
    const kv = new MemoryKv();
    const bridge = new Bridge({ queue, index: new MemoryCacheIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics: createMetrics(), log: createLogger('silent'), jobTimeoutMs: 100, videoJobTimeoutMs: 600 });
    const deliveries: Delivery[] = [];
    await queue.consume(['video'], 10, async (d) => void deliveries.push(d));
    const started = Date.now();
    const answer = bridge.submit(request({ outtype: 'mp4' }));
    await until(() => deliveries.length === 1);
    const job = deliveries[0]!.job;
    expect(job.deadline - job.createdAt).toBe(600);
    // Past the image timeout, the GET still waits; its result reaches it.
    await new Promise((r) => setTimeout(r, 300));
    await queue.publishResult(done(job));
    expect(await answer).toEqual({ status: 200, objectKey: resultOf(job) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    // And past its own timeout it is told to come back later, as for an image.
    await expect(bridge.submit(request({ key: 'c'.repeat(40), outtype: 'mp4' }))).rejects.toMatchObject({ status: 503, reason: 'timeout' });
    bridge.close();
  });

  it('coalesces a video GET with the pre-warm in flight and lifts it to urgent in the same queue', async () => {
    const { queue, bridge } = setup();
    const deliveries: Delivery[] = [];
    const prewarm = await bridge.submit(request({ outtype: 'mp4', urgency: 'background' }));
    expect(prewarm).toEqual({ status: 202 });
    const get = bridge.submit(request({ outtype: 'mp4' }));
    await until(async () => (await queue.depth('video')) === 2);
    await queue.consume(['video'], 10, async (d) => void deliveries.push(d));
    await until(() => deliveries.length === 2);
    // The GET's job is delivered first, though it was published second.
    expect(deliveries.map((d) => d.job.urgency)).toEqual(['urgent', 'background']);
    await queue.publishResult(done(deliveries[0]!.job));
    expect(await get).toMatchObject({ status: 200 });
    bridge.close();
  });
});

describe('coalescing while the claim is in flight', () => {
  it('publishes one job for requests that arrive before the first has claimed the key', async () => {
    class SlowClaimIndex extends MemoryCacheIndex {
      override async claim(...args: Parameters<MemoryCacheIndex['claim']>) {
        await new Promise((r) => setTimeout(r, 50));
        return super.claim(...args);
      }
    }
    class CountingQueue extends FlakyQueue {
      published: Job[] = [];
      override async publish(job: Job, options?: { delayMs?: number }): Promise<void> {
        this.published.push(job);
        return super.publish(job, options);
      }
    }
    const queue = new CountingQueue();
    const kv = new MemoryKv();
    const metrics = createMetrics();
    const bridge = new Bridge({ queue, index: new SlowClaimIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics, log: createLogger('silent'), jobTimeoutMs: 5000 });
    const deliveries: Delivery[] = [];
    await queue.consume(['urgent', 'background'], 100, async (d) => void deliveries.push(d));
    const answers = Promise.all(Array.from({ length: 20 }, () => bridge.submit(request())));
    await until(() => deliveries.length === 1);
    // Every other request has joined the first's job.
    await until(async () => (await joinedCount(metrics)) === 19);
    expect(await joinedCount(metrics)).toBe(19);
    expect(queue.published).toHaveLength(1);
    await queue.publishResult(done(deliveries[0]!.job));
    expect((await answers).every((a) => a.status === 200)).toBe(true);
    // A background job claimed first is still overtaken by one urgent job, not more.
    const key = 'c'.repeat(40);
    const first = bridge.submit(request({ key, urgency: 'background' }));
    const urgent = Promise.all(Array.from({ length: 5 }, () => bridge.submit(request({ key }))));
    await first;
    await until(() => deliveries.length === 3);
    await new Promise((r) => setTimeout(r, 200));
    expect(queue.published.filter((j) => j.key === key).map((j) => j.urgency).sort()).toEqual(['background', 'urgent']);
    await queue.publishResult(done(deliveries.find((d) => d.job.key === key && d.job.urgency === 'urgent')!.job));
    expect((await urgent).every((a) => a.status === 200)).toBe(true);
    bridge.close();
  });
});
