import amqp from 'amqplib';
import { afterEach, describe, expect, it } from 'vitest';
import { jobQueueContract, makeJob } from '../../../shared/contracts/job-queue.contract.ts';
import { amqpAvailable, amqpVhostUrl } from '../../../test/helpers/services.ts';
import { createLogger } from '../../log.ts';
import { AmqpJobQueue } from './job-queue.ts';
import { QUEUE_NAMES } from '../../../shared/queues.ts';
import { DEAD_QUEUE, jobQueue } from './topology.ts';

const available = await amqpAvailable();
const AMQP_URL = available ? amqpVhostUrl('imgflo-test-unit') : '';
const log = createLogger(process.env.DBG ? 'debug' : 'silent');

/** Empties the shared queues so that each test sees only its own jobs. */
async function purge() {
  const conn = await amqp.connect(AMQP_URL);
  const ch = await conn.createChannel();
  for (const q of [...QUEUE_NAMES.map(jobQueue), DEAD_QUEUE]) await ch.purgeQueue(q);
  await conn.close();
}

describe.skipIf(!available)('RabbitMQ job queue', () => {
  const opened: AmqpJobQueue[] = [];
  const make = async () => {
    const q = new AmqpJobQueue({ url: AMQP_URL, log, instanceId: `test-${crypto.randomUUID()}` });
    await q.start();
    opened.push(q);
    await purge();
    return q;
  };
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((q) => q.close()));
  });

  jobQueueContract('RabbitMQ', async () => {
    const q = await make();
    // The contract publishes a result right after listening: wait until the queue is bound.
    const publishResult = q.publishResult.bind(q);
    q.publishResult = async (r) => {
      await q.listening();
      return publishResult(r);
    };
    return q;
  });

  it('declares durable, named queues with a dead-letter exchange', async () => {
    await make();
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    for (const name of ['imgflo.jobs.urgent', 'imgflo.jobs.background', 'imgflo.jobs.video', 'imgflo.jobs.urgent.retry', 'imgflo.jobs.video.retry', 'imgflo.jobs.dead']) {
      await expect(ch.checkQueue(name)).resolves.toMatchObject({ queue: name });
    }
    await conn.close();
  });

  it('dead-letters a message that is not a valid job, and keeps consuming', async () => {
    const q = await make();
    const got: string[] = [];
    await q.consume(['urgent'], 2, async (d) => {
      got.push(d.job.id);
      d.ack();
    });
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createConfirmChannel();
    ch.publish('imgflo.jobs', 'urgent', Buffer.from('{"not":"a job"}'), { persistent: true });
    await ch.waitForConfirms();
    const job = makeJob();
    await q.publish(job);
    for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(got).toEqual([job.id]);
    let dead: amqp.GetMessage | false = false;
    for (let i = 0; i < 100 && !dead; i++) {
      dead = await ch.get('imgflo.jobs.dead', { noAck: true });
      if (!dead) await new Promise((r) => setTimeout(r, 20));
    }
    expect(dead && dead.content.toString()).toBe('{"not":"a job"}');
    await conn.close();
  });

  it('hands a job whose consumer went away (connection lost) to another consumer', async () => {
    const q = await make();
    const other = new AmqpJobQueue({ url: AMQP_URL, log, instanceId: `test-${crypto.randomUUID()}` });
    await other.start();
    opened.push(other);
    const first: string[] = [];
    await q.consume(['urgent'], 1, async (d) => {
      first.push(d.job.id);
    });
    const job = makeJob();
    await q.publish(job);
    for (let i = 0; i < 200 && first.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(first).toEqual([job.id]);
    const second: Array<{ id: string; redelivered: boolean }> = [];
    await other.consume(['urgent'], 1, async (d) => {
      second.push({ id: d.job.id, redelivered: d.redelivered });
      d.ack();
    });
    await q.close();
    for (let i = 0; i < 200 && second.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(second).toEqual([{ id: job.id, redelivered: true }]);
  });

  it('stops delivering after cancel, while the job in flight can still be acked', async () => {
    const q = await make();
    const got: Array<{ ack(): void; id: string }> = [];
    const sub = await q.consume(['urgent'], 5, async (d) => {
      got.push({ ack: d.ack, id: d.job.id });
    });
    await q.publish(makeJob());
    for (let i = 0; i < 200 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await sub.cancel();
    await q.publish(makeJob());
    await new Promise((r) => setTimeout(r, 200));
    expect(got.length).toBe(1);
    got[0]!.ack();
    const conn = await amqp.connect(AMQP_URL);
    const ch = await conn.createChannel();
    await new Promise((r) => setTimeout(r, 100));
    expect((await ch.checkQueue('imgflo.jobs.urgent')).messageCount).toBe(1);
    await conn.close();
  });
});
