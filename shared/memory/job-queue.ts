/**
 * The in-process job queue of the embedded mode. Honest about delivery: at most `prefetch`
 * unacknowledged jobs per consumer, ack allowed once, a nacked job is redelivered (or dead-
 * lettered), a job whose handler throws before settling is redelivered; within a queue, urgent
 * jobs go before background ones (as the broker's message priority does).
 */
import type { Job, JobResult } from '../job.ts';
import type { Delivery, JobQueue, Subscription } from '../ports.ts';
import { priorityOf, queueOf, QUEUE_NAMES, type QueueName } from '../queues.ts';

interface Consumer {
  queues: readonly QueueName[];
  prefetch: number;
  inFlight: number;
  active: boolean;
  handler: (d: Delivery) => Promise<void>;
}

interface Message {
  job: Job;
  redelivered: boolean;
}

export class MemoryJobQueue implements JobQueue {
  private readonly queues = Object.fromEntries(QUEUE_NAMES.map((q) => [q, [] as Message[]])) as Record<QueueName, Message[]>;
  private readonly consumers: Consumer[] = [];
  private readonly listeners = new Set<(r: JobResult) => void>();
  readonly deadLetters: Job[] = [];
  private closed = false;

  async publish(job: Job, options: { delayMs?: number } = {}): Promise<void> {
    if (this.closed) throw new Error('queue closed');
    const message = { job: structuredClone(job), redelivered: false };
    const enqueue = () => {
      if (this.closed) return;
      const queue = this.queues[queueOf(job)];
      // After the last message of its priority or a higher one.
      const at = queue.findIndex((m) => priorityOf(m.job) < priorityOf(job));
      queue.splice(at === -1 ? queue.length : at, 0, message);
      this.dispatch();
    };
    if (options.delayMs) setTimeout(enqueue, options.delayMs);
    else enqueue();
  }

  async depth(queue: QueueName): Promise<number> {
    return this.queues[queue].length;
  }

  async consume(
    queues: readonly QueueName[],
    prefetch: number,
    handler: (d: Delivery) => Promise<void>,
  ): Promise<Subscription> {
    const consumer: Consumer = { queues, prefetch, inFlight: 0, active: true, handler };
    this.consumers.push(consumer);
    this.dispatch();
    return {
      cancel: async () => {
        consumer.active = false;
      },
    };
  }

  private dispatch(): void {
    for (const consumer of this.consumers) {
      while (consumer.active && consumer.inFlight < consumer.prefetch) {
        const queue = consumer.queues.find((q) => this.queues[q].length > 0);
        if (!queue) break;
        this.deliver(consumer, queue, this.queues[queue].shift()!);
      }
    }
  }

  private deliver(consumer: Consumer, queue: QueueName, message: Message): void {
    consumer.inFlight++;
    let settled = false;
    const settle = () => {
      if (settled) throw new Error('delivery already acknowledged');
      settled = true;
      consumer.inFlight--;
      queueMicrotask(() => this.dispatch());
    };
    const delivery: Delivery = {
      job: structuredClone(message.job),
      redelivered: message.redelivered,
      ack: settle,
      nack: ({ requeue }) => {
        settle();
        if (requeue) this.queues[queue].unshift({ job: message.job, redelivered: true });
        else this.deadLetters.push(message.job);
      },
    };
    consumer.handler(delivery).catch(() => {
      if (!settled) delivery.nack({ requeue: true });
    });
  }

  async publishResult(result: JobResult): Promise<void> {
    for (const l of this.listeners) l(structuredClone(result));
  }

  onResult(listener: (r: JobResult) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.consumers) c.active = false;
  }
}
