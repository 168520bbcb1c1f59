import { describe, expect, it } from 'vitest';
import type { JobRequest } from '../../shared/job.ts';
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
  ...overrides,
});

function setup(jobTimeoutMs = 5000) {
  const queue = new MemoryJobQueue();
  const kv = new MemoryKv();
  const bridge = new Bridge({ queue, index: new MemoryCacheIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics: createMetrics(), log: createLogger('silent'), objectPrefix: 'p', jobTimeoutMs });
  const deliveries: Delivery[] = [];
  return { queue, bridge, deliveries, listen: () => queue.consume(['urgent', 'background'], 100, async (d) => void deliveries.push(d)) };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 5));
};

describe('bridge', () => {
  it('answers an urgent request with the object key from the result', async () => {
    const { queue, bridge, deliveries, listen } = setup();
    await listen();
    const answer = bridge.submit(request());
    await until(() => deliveries.length === 1);
    const job = deliveries[0]!.job;
    expect(job).toMatchObject({ key: 'b'.repeat(40), objectKey: `p/${'b'.repeat(40)}.png`, attempt: 1 });
    expect(job.deadline - job.createdAt).toBe(5000);
    await queue.publishResult({ v: 1, id: job.id, key: job.key, ok: true, objectKey: job.objectKey, cached: false, timings: { queue: 0, fetch: 0, process: 0, upload: 0 } });
    expect(await answer).toEqual({ status: 200, objectKey: job.objectKey });
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
    await queue.publishResult({ v: 1, id: job.id, key: job.key, ok: true, objectKey: job.objectKey, cached: false, timings: { queue: 0, fetch: 0, process: 0, upload: 0 } });
    expect((await later).status).toBe(200);
  });

  it('answers background requests at once with 202, and gives a later urgent request its own urgent job', async () => {
    const { bridge, deliveries, listen } = setup();
    await listen();
    expect(await bridge.submit(request({ urgency: 'background' }))).toEqual({ status: 202, objectKey: `p/${'b'.repeat(40)}.png` });
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
});
