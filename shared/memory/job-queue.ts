/**
 * The in-process job queue of the embedded mode. Honest about delivery: at most `prefetch`
 * unacknowledged jobs per consumer, ack allowed once, a nacked job is redelivered (or dead-
 * lettered), a job whose handler throws before settling is redelivered.
 */
import type { Job, JobResult, Urgency } from '../job.ts';
import type { Delivery, JobQueue, Subscription } from '../ports.ts';

interface Consumer {
  urgencies: readonly Urgency[];
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
  private readonly queues: Record<Urgency, Message[]> = { urgent: [], background: [] };
  private readonly consumers: Consumer[] = [];
  private readonly listeners = new Set<(r: JobResult) => void>();
  readonly deadLetters: Job[] = [];
  private closed = false;

  async publish(job: Job, options: { delayMs?: number } = {}): Promise<void> {
    if (this.closed) throw new Error('queue closed');
    const message = { job: structuredClone(job), redelivered: false };
    const enqueue = () => {
      if (this.closed) return;
      this.queues[job.urgency].push(message);
      this.dispatch();
    };
    if (options.delayMs) setTimeout(enqueue, options.delayMs);
    else enqueue();
  }

  async depth(urgency: Urgency): Promise<number> {
    return this.queues[urgency].length;
  }

  async consume(
    urgencies: readonly Urgency[],
    prefetch: number,
    handler: (d: Delivery) => Promise<void>,
  ): Promise<Subscription> {
    const consumer: Consumer = { urgencies, prefetch, inFlight: 0, active: true, handler };
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
        const urgency = consumer.urgencies.find((u) => this.queues[u].length > 0);
        if (!urgency) break;
        this.deliver(consumer, urgency, this.queues[urgency].shift()!);
      }
    }
  }

  private deliver(consumer: Consumer, urgency: Urgency, message: Message): void {
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
        if (requeue) this.queues[urgency].unshift({ job: message.job, redelivered: true });
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
