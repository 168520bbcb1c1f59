/** The behaviour every JobQueue adapter must have; run against each adapter. */
import { describe, expect, it } from 'vitest';
import type { Job, JobResult } from '../job.ts';
import type { Delivery, JobQueue } from '../ports.ts';

export function makeJob(overrides: Partial<Job> = {}): Job {
  const id = overrides.id ?? crypto.randomUUID();
  return {
    v: 1,
    requestId: 'req-' + id,
    key: 'a'.repeat(40),
    graph: 'passthrough',
    digest: '0'.repeat(16),
    outtype: 'jpg',
    input: 'files/gridbear.jpg',
    params: {},
    urgency: 'urgent',
    nocache: false,
    app: null,
    quota: null,
    revalidate: false,
    id,
    createdAt: Date.now(),
    deadline: Date.now() + 25_000,
    attempt: 1,
    ...overrides,
  };
}

const waitFor = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

export function jobQueueContract(name: string, make: () => Promise<JobQueue>) {
  describe(`JobQueue contract: ${name}`, () => {
    it('delivers a published job to a consumer of its urgency, once acked it is gone', async () => {
      const q = await make();
      const seen: Delivery[] = [];
      await q.consume(['urgent'], 2, async (d) => {
        seen.push(d);
        d.ack();
      });
      const job = makeJob();
      await q.publish(job);
      await waitFor(() => seen.length === 1);
      expect(seen[0]!.job).toEqual(job);
      expect(seen[0]!.redelivered).toBe(false);
      await q.close();
    });

    it('refuses a second ack of the same delivery', async () => {
      const q = await make();
      let second: unknown = null;
      await q.consume(['urgent'], 1, async (d) => {
        d.ack();
        try {
          d.ack();
        } catch (e) {
          second = e;
        }
      });
      await q.publish(makeJob());
      await waitFor(() => second !== null);
      expect(second).toBeInstanceOf(Error);
      await q.close();
    });

    it('redelivers a job that was nacked with requeue', async () => {
      const q = await make();
      const deliveries: boolean[] = [];
      await q.consume(['urgent'], 1, async (d) => {
        deliveries.push(d.redelivered);
        if (deliveries.length === 1) d.nack({ requeue: true });
        else d.ack();
      });
      await q.publish(makeJob());
      await waitFor(() => deliveries.length === 2);
      expect(deliveries).toEqual([false, true]);
      await q.close();
    });

    it('keeps at most prefetch jobs unacknowledged per consumer', async () => {
      const q = await make();
      const held: Delivery[] = [];
      await q.consume(['background'], 2, async (d) => {
        held.push(d);
      });
      for (let i = 0; i < 5; i++) await q.publish(makeJob({ urgency: 'background' }));
      await waitFor(() => held.length === 2);
      await new Promise((r) => setTimeout(r, 50));
      expect(held.length).toBe(2);
      held[0]!.ack();
      await waitFor(() => held.length === 3);
      for (const d of held.slice(1)) d.ack();
      await waitFor(() => held.length === 5);
      for (const d of held.slice(3)) d.ack();
      await q.close();
    });

    it('tells how many jobs wait in each queue', async () => {
      const q = await make();
      await q.publish(makeJob({ urgency: 'background' }));
      await q.publish(makeJob({ urgency: 'background' }));
      await waitFor(() => true);
      for (let i = 0; i < 100 && (await q.depth('background')) < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await q.depth('background')).toBe(2);
      expect(await q.depth('urgent')).toBe(0);
      await q.close();
    });

    it('does not give background jobs to an urgent-only consumer', async () => {
      const q = await make();
      const got: string[] = [];
      await q.consume(['urgent'], 4, async (d) => {
        got.push(d.job.urgency);
        d.ack();
      });
      await q.publish(makeJob({ urgency: 'background' }));
      await q.publish(makeJob({ urgency: 'urgent' }));
      await waitFor(() => got.length === 1);
      await new Promise((r) => setTimeout(r, 50));
      expect(got).toEqual(['urgent']);
      await q.close();
    });

    it('puts every video job in the video queue, whatever its urgency, and nothing else there', async () => {
      const q = await make();
      const images: string[] = [];
      await q.consume(['urgent', 'background'], 4, async (d) => {
        images.push(d.job.outtype ?? '');
        d.ack();
      });
      await q.publish(makeJob({ outtype: 'mp4', urgency: 'urgent' }));
      await q.publish(makeJob({ outtype: 'mp4', urgency: 'background' }));
      await q.publish(makeJob({ outtype: 'png', urgency: 'background' }));
      await waitFor(() => images.length === 1);
      for (let i = 0; i < 100 && (await q.depth('video')) < 2; i++) await new Promise((r) => setTimeout(r, 10));
      expect(await q.depth('video')).toBe(2);
      expect(images).toEqual(['png']);
      await q.close();
    });

    it('delivers urgent video jobs before the background ones that waited longer', async () => {
      const q = await make();
      for (let i = 0; i < 3; i++) await q.publish(makeJob({ outtype: 'mp4', urgency: 'background', requestId: `bg-${i}` }));
      await q.publish(makeJob({ outtype: 'mp4', urgency: 'urgent', requestId: 'get-0' }));
      await q.publish(makeJob({ outtype: 'mp4', urgency: 'urgent', requestId: 'get-1' }), { delayMs: 100 });
      for (let i = 0; i < 200 && (await q.depth('video')) < 5; i++) await new Promise((r) => setTimeout(r, 10));
      const got: string[] = [];
      await q.consume(['video'], 1, async (d) => {
        got.push(d.job.requestId);
        d.ack();
      });
      await waitFor(() => got.length === 5);
      expect(got).toEqual(['get-0', 'get-1', 'bg-0', 'bg-1', 'bg-2']);
      await q.close();
    });

    it('holds a delayed job back, then delivers it', async () => {
      const q = await make();
      const at: number[] = [];
      await q.consume(['urgent'], 1, async (d) => {
        at.push(Date.now());
        d.ack();
      });
      const start = Date.now();
      await q.publish(makeJob(), { delayMs: 300 });
      await waitFor(() => at.length === 1);
      expect(at[0]! - start).toBeGreaterThanOrEqual(250);
      await q.close();
    });

    it('hands every result to every listener', async () => {
      const q = await make();
      const a: JobResult[] = [];
      const b: JobResult[] = [];
      q.onResult((r) => a.push(r));
      q.onResult((r) => b.push(r));
      const result: JobResult = { v: 1, id: 'x', key: 'k', ok: false, error: { error: 'e', code: 504, reason: 'input-fetch-failed' }, retryable: false };
      await q.publishResult(result);
      await waitFor(() => a.length === 1 && b.length === 1);
      expect(a[0]).toEqual(result);
      await q.close();
    });
  });
}
