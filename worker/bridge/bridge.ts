/**
 * The bridge's core: turns job requests into queued jobs, coalescing identical in-flight
 * requests (same cache key) into one job — inside this process by a map of pending keys,
 * across bridges by an in-flight marker in the index (every bridge hears every completion) —
 * and waits for urgent results with a deadline. A job that outlives the deadline keeps
 * running; a later request finds its result.
 */
import { objectKeyFor } from '../../shared/cache-key.ts';
import { monthOf } from '../../shared/apps.ts';
import { ImgfloError, quotaExceeded, timeout, unavailable, type ErrorBody } from '../../shared/errors.ts';
import type { Job, JobRequest, JobResult, Urgency } from '../../shared/job.ts';
import type { AppRegistry, CacheIndex, Clock, JobQueue } from '../../shared/ports.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';

export interface BridgeOptions {
  queue: JobQueue;
  index: CacheIndex;
  apps: AppRegistry;
  clock: Clock;
  metrics: Metrics;
  log: Logger;
  objectPrefix: string;
  jobTimeoutMs: number;
}

export interface Submitted {
  status: 200 | 202;
  objectKey: string;
}

interface Pending {
  result: Promise<JobResult>;
  resolve(r: JobResult): void;
  published: Set<Urgency>;
  expiry: ReturnType<typeof setTimeout>;
}

export class Bridge {
  private readonly pending = new Map<string, Pending>();
  private readonly stopListening: () => void;

  constructor(private readonly o: BridgeOptions) {
    this.stopListening = o.queue.onResult((r) => this.settle(r));
  }

  get inFlight(): number {
    return this.pending.size;
  }

  async submit(req: JobRequest): Promise<Submitted> {
    const objectKey = objectKeyFor(this.o.objectPrefix, req.key, req.outtype);
    let p = this.pending.get(req.key);
    if (p) this.o.metrics.coalesced.inc();
    else {
      await this.checkQuota(req);
      p = this.track(req.key);
    }
    // One job per key; an urgent request still gets an urgent job when only a background one
    // is queued, so it never waits behind the background backlog.
    if (p.published.size === 0 || (req.urgency === 'urgent' && !p.published.has('urgent'))) {
      const first = p.published.size === 0;
      p.published.add(req.urgency);
      if (first && !(await this.claim(req.key))) {
        // Another bridge has this job in flight: its completion reaches us too. It may have
        // finished just now, before we listened: then the index has it.
        this.o.metrics.coalesced.inc();
        const done = await this.o.index.get(req.key).catch(() => null);
        if (done) this.settle({ v: 1, id: 'index', key: req.key, ok: true, objectKey: done, cached: true, timings: { queue: 0, fetch: 0, process: 0, upload: 0 } });
      } else {
        await this.publish(req, objectKey, p);
      }
    }
    if (req.urgency === 'background') return { status: 202, objectKey };
    return this.wait(p);
  }

  /**
   * An app with a monthly quota may start that many processing runs a calendar month; joining
   * a job in flight costs nothing. Without a reachable registry the request passes.
   */
  private async checkQuota(req: JobRequest): Promise<void> {
    if (req.app === null || req.quota === null) return;
    const month = monthOf(this.o.clock.now());
    let count: number;
    try {
      count = await this.o.apps.countProcessed(req.app, month);
    } catch (e) {
      this.o.log.warn({ err: e }, 'app registry unavailable: quota not checked');
      return;
    }
    if (count > req.quota) throw quotaExceeded();
  }

  /** Takes the in-flight marker; without a reachable index, every bridge publishes its own. */
  private async claim(key: string): Promise<boolean> {
    try {
      return await this.o.index.claim(key, this.o.jobTimeoutMs);
    } catch (e) {
      this.o.log.warn({ err: e }, 'cache index unavailable: coalescing within this bridge only');
      return true;
    }
  }

  private track(key: string): Pending {
    let resolve!: (r: JobResult) => void;
    const result = new Promise<JobResult>((r) => (resolve = r));
    // Forget a job whose result never comes (lost), so a later request publishes it again.
    const expiry = setTimeout(() => this.pending.delete(key), this.o.jobTimeoutMs * 4);
    expiry.unref?.();
    const p: Pending = { result, resolve, published: new Set(), expiry };
    this.pending.set(key, p);
    return p;
  }

  private async publish(req: JobRequest, objectKey: string, p: Pending): Promise<void> {
    const now = this.o.clock.now();
    const job: Job = {
      ...req,
      id: crypto.randomUUID(),
      objectKey,
      createdAt: now,
      deadline: now + this.o.jobTimeoutMs,
      attempt: 1,
    };
    try {
      await this.o.queue.publish(job);
    } catch (e) {
      this.o.log.error({ err: e, requestId: req.requestId }, 'publish failed');
      clearTimeout(p.expiry);
      this.pending.delete(req.key);
      throw unavailable('Job queue unavailable');
    }
    this.o.metrics.jobsPublished.inc({ urgency: req.urgency });
  }

  private async wait(p: Pending): Promise<Submitted> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeout(Math.ceil(this.o.jobTimeoutMs / 5000))), this.o.jobTimeoutMs);
    });
    try {
      const r = await Promise.race([p.result, deadline]);
      if (r.ok) return { status: 200, objectKey: r.objectKey };
      throw ImgfloError.fromBody(r.error as ErrorBody);
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(r: JobResult): void {
    const p = this.pending.get(r.key);
    if (!p) return;
    clearTimeout(p.expiry);
    this.pending.delete(r.key);
    p.resolve(r);
  }

  close(): void {
    this.stopListening();
    for (const p of this.pending.values()) clearTimeout(p.expiry);
  }
}
