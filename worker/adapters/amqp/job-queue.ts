/**
 * The job queue over RabbitMQ (amqplib): persistent messages with publisher confirms, durable
 * queues, consumers with a prefetch equal to their concurrency, undecodable messages to the
 * dead letters, results fanned out to every bridge. The connection comes back by itself; the
 * topology, consumers and result queue are set up again on every reconnect.
 */
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import { backoffMs, RECONNECT } from '../../../shared/backoff.ts';
import { decode, JobResultSchema, JobSchema, type Job, type JobResult } from '../../../shared/job.ts';
import { priorityOf, queueOf, type QueueName } from '../../../shared/queues.ts';
import type { Delivery, JobQueue, Subscription } from '../../../shared/ports.ts';
import type { Logger } from '../../log.ts';
import { EXCHANGES, JOBS_EXCHANGE, jobQueue, QUEUES, RESULTS_EXCHANGE, resultsQueue, retryQueue } from './topology.ts';

interface ConsumerSpec {
  queues: readonly QueueName[];
  prefetch: number;
  handler: (d: Delivery) => Promise<void>;
  channel: Channel | null;
  tags: string[];
  active: boolean;
}

export interface AmqpOptions {
  url: string;
  log: Logger;
  /** Names this process's result queue. */
  instanceId: string;
  /** How long publish waits for a lost connection to come back before giving up. */
  publishWaitMs?: number;
}

export class AmqpJobQueue implements JobQueue {
  private conn: ChannelModel | null = null;
  private pub: ConfirmChannel | null = null;
  private readonly consumers: ConsumerSpec[] = [];
  private readonly listeners = new Set<(r: JobResult) => void>();
  private resultsChannel: Channel | null = null;
  private closed = false;
  private waiters: Array<() => void> = [];
  private connecting: Promise<void> | null = null;

  constructor(private readonly o: AmqpOptions) {}

  /**
   * Connects; when the broker does not answer, keeps trying in the background (publishers wait
   * a moment for it, consumers start once it is there). Resolves after the first attempt.
   */
  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (e) {
      this.o.log.warn({ err: e }, 'amqp not reachable yet; retrying');
      this.reconnect();
    }
  }

  get connected(): boolean {
    return this.pub !== null;
  }

  private async connect(): Promise<void> {
    const conn = await amqp.connect(withHeartbeat(this.o.url));
    conn.on('error', (e) => this.o.log.warn({ err: e }, 'amqp connection error'));
    conn.on('close', () => this.lost(conn));
    try {
      const setup = await conn.createChannel();
      for (const x of EXCHANGES) await setup.assertExchange(x.name, x.type, { durable: true });
      for (const q of QUEUES) {
        await setup.assertQueue(q.name, { durable: true, arguments: q.arguments });
        if (q.bind) await setup.bindQueue(q.name, q.bind.exchange, q.bind.key);
      }
      await setup.close();
      const pub = await conn.createConfirmChannel();
      pub.on('error', (e) => this.o.log.warn({ err: e }, 'amqp publish channel error'));
      this.conn = conn;
      this.pub = pub;
      for (const spec of this.consumers) if (spec.active) await this.startConsumer(spec);
      if (this.listeners.size > 0) await this.startResults();
    } catch (e) {
      this.conn = null;
      this.pub = null;
      await conn.close().catch(() => {});
      throw e;
    }
    this.o.log.info({ instance: this.o.instanceId }, 'amqp connected');
    for (const w of this.waiters.splice(0)) w();
  }

  private lost(conn: ChannelModel): void {
    if (this.conn !== conn && this.conn !== null) return;
    this.conn = null;
    this.pub = null;
    this.resultsChannel = null;
    for (const spec of this.consumers) spec.channel = null;
    if (this.closed) return;
    this.o.log.warn('amqp connection lost; reconnecting');
    this.reconnect();
  }

  private reconnect(): void {
    if (this.connecting) return;
    this.connecting = (async () => {
      for (let attempt = 1; !this.closed && !this.conn; attempt++) {
        await new Promise((r) => setTimeout(r, backoffMs(attempt, RECONNECT)));
        if (this.closed) break;
        try {
          await this.connect();
        } catch (e) {
          this.o.log.debug({ err: e, attempt }, 'amqp reconnect failed');
        }
      }
      this.connecting = null;
    })();
  }

  private async publishChannel(): Promise<ConfirmChannel> {
    if (this.pub) return this.pub;
    if (this.closed) throw new Error('queue closed');
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== done);
        reject(new Error('broker unavailable'));
      }, this.o.publishWaitMs ?? 5000);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      this.waiters.push(done);
    });
    return this.pub!;
  }

  private async confirmPublish(exchange: string, key: string, body: unknown, options: amqp.Options.Publish): Promise<void> {
    const ch = await this.publishChannel();
    await new Promise<void>((resolve, reject) => {
      ch.publish(exchange, key, Buffer.from(JSON.stringify(body)), { contentType: 'application/json', ...options }, (err) =>
        err ? reject(err instanceof Error ? err : new Error('publish not confirmed')) : resolve(),
      );
    });
  }

  async publish(job: Job, options: { delayMs?: number } = {}): Promise<void> {
    const queue = queueOf(job);
    const props = { persistent: true, messageId: job.id, priority: priorityOf(job), headers: { 'x-attempt': job.attempt } };
    if (options.delayMs) {
      await this.confirmPublish('', retryQueue(queue), job, { ...props, expiration: String(Math.round(options.delayMs)) });
    } else {
      await this.confirmPublish(JOBS_EXCHANGE, queue, job, props);
    }
  }

  async consume(queues: readonly QueueName[], prefetch: number, handler: (d: Delivery) => Promise<void>): Promise<Subscription> {
    const spec: ConsumerSpec = { queues, prefetch, handler, channel: null, tags: [], active: true };
    this.consumers.push(spec);
    if (this.conn) await this.startConsumer(spec);
    return {
      cancel: async () => {
        // No new deliveries; those in flight can still be acknowledged on the open channel.
        spec.active = false;
        for (const tag of spec.tags.splice(0)) await spec.channel?.cancel(tag).catch(() => {});
      },
    };
  }

  private async startConsumer(spec: ConsumerSpec): Promise<void> {
    const ch = await this.conn!.createChannel();
    ch.on('error', (e) => this.o.log.warn({ err: e }, 'amqp consumer channel error'));
    await ch.prefetch(spec.prefetch, true);
    spec.channel = ch;
    spec.tags = [];
    for (const q of spec.queues) {
      const { consumerTag } = await ch.consume(jobQueue(q), (msg) => {
        if (msg) this.deliver(spec, ch, msg);
      });
      spec.tags.push(consumerTag);
    }
  }

  private deliver(spec: ConsumerSpec, ch: Channel, msg: ConsumeMessage): void {
    let data: unknown = null;
    try {
      data = JSON.parse(msg.content.toString('utf8'));
    } catch {}
    const job = decode(JobSchema, data);
    if (!job) {
      this.o.log.error({ messageId: msg.properties.messageId }, 'undecodable job message; dead-lettered');
      ch.nack(msg, false, false);
      return;
    }
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) throw new Error('delivery already acknowledged');
      settled = true;
      // On a channel that has gone, the broker redelivers the job anyway.
      if (spec.channel === ch) fn();
    };
    const delivery: Delivery = {
      job,
      redelivered: msg.fields.redelivered,
      ack: () => settle(() => ch.ack(msg)),
      nack: ({ requeue }) => settle(() => ch.nack(msg, false, requeue)),
    };
    spec.handler(delivery).catch((e) => {
      this.o.log.error({ err: e, jobId: job.id }, 'job handler failed');
      if (!settled) delivery.nack({ requeue: true });
    });
  }

  async publishResult(result: JobResult): Promise<void> {
    await this.confirmPublish(RESULTS_EXCHANGE, '', result, { persistent: false });
  }

  onResult(listener: (r: JobResult) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1 && this.conn && !this.resultsChannel) {
      this.startResults().catch((e) => this.o.log.error({ err: e }, 'cannot listen for results'));
    }
    return () => this.listeners.delete(listener);
  }

  /** Resolves once this process hears results (its result queue is bound). */
  async listening(): Promise<void> {
    for (let i = 0; i < 200 && !this.resultsChannel; i++) await new Promise((r) => setTimeout(r, 25));
  }

  private async startResults(): Promise<void> {
    const ch = await this.conn!.createChannel();
    const q = resultsQueue(this.o.instanceId);
    await ch.assertQueue(q, { exclusive: true, autoDelete: true, durable: false });
    await ch.bindQueue(q, RESULTS_EXCHANGE, '');
    await ch.consume(
      q,
      (msg) => {
        if (!msg) return;
        let data: unknown = null;
        try {
          data = JSON.parse(msg.content.toString('utf8'));
        } catch {}
        const result = decode(JobResultSchema, data);
        if (result) for (const l of this.listeners) l(result);
      },
      { noAck: true },
    );
    this.resultsChannel = ch;
  }

  async depth(queue: QueueName): Promise<number> {
    if (!this.conn) return 0;
    const ch = await this.conn.createChannel();
    try {
      return (await ch.checkQueue(jobQueue(queue))).messageCount;
    } finally {
      await ch.close().catch(() => {});
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const spec of this.consumers) spec.active = false;
    const conn = this.conn;
    this.conn = null;
    this.pub = null;
    await conn?.close().catch(() => {});
  }
}

/** A short heartbeat notices a dead broker in seconds rather than minutes. */
function withHeartbeat(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('heartbeat')) u.searchParams.set('heartbeat', '5');
  return u.href;
}
