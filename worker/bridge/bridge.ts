/**
 * The bridge's core: turns job requests into queued jobs, one job per cache key — inside this
 * process by a map of pending keys, across bridges by an in-flight marker in the index (every
 * bridge hears every completion) — and waits for urgent results with a deadline.
 *
 * Each key's job is a small state machine (Pending.state):
 *
 *   claimed ──publish──► published ──result──► answered / failed
 *      └─ publish fails: the marker is released, every waiter gets 503 `unavailable`, nothing
 *         stays behind (the next request claims and publishes again)
 *   joined (another bridge holds the marker) ──result──► answered / failed
 *      ├─ an urgent request and the marker holds a background job: an urgent job is published
 *      │  (the background one then finds the result and does no work)
 *      └─ the marker lapses without a result (its owner died): claimed, published (takeover)
 *   published / joined ──no result within two job timeouts of the last request──► given up
 *
 * The owner renews its marker's lease (IN_FLIGHT_LEASE_MS) while it waits, so a marker outlives
 * a dead owner by at most one lease. A job that outlives a request's deadline keeps running; a
 * later request finds its result.
 */
import { monthOf } from '../../shared/apps.ts';
import { ImgfloError, isImgfloError, quotaExceeded, timeout, unavailable, type ErrorBody } from '../../shared/errors.ts';
import type { Job, JobRequest, JobResult, Urgency } from '../../shared/job.ts';
import { QUEUE_NAMES, queueOf, type QueueName } from '../../shared/queues.ts';
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
  /** How long a GET waits for its job (IMGFLO_JOB_TIMEOUT_MS). */
  jobTimeoutMs: number;
  /** The same for a job of the video queue (IMGFLO_VIDEO_JOB_TIMEOUT_MS); default: jobTimeoutMs. */
  videoJobTimeoutMs?: number;
  /** How long an in-flight marker lives without being renewed (default 6 s, at most the job timeout). */
  leaseMs?: number;
  /**
   * Load shedding, per queue: new work is refused (503, Retry-After) while more jobs than this
   * wait in its queue; joining work in flight is not. Default: none.
   */
  maxQueue?: Partial<Record<QueueName, number>>;
  /** Hears every state a key's job enters (tests, debugging). */
  onTransition?: (key: string, state: JobState) => void;
}

/** Processed (200, with the result's object key), or queued in the background (202). */
export type Submitted = { status: 200; objectKey: string } | { status: 202 };

export type JobState = 'claimed' | 'published' | 'joined' | 'answered' | 'failed' | 'given-up';

interface Pending {
  key: string;
  state: JobState;
  /** Whether this bridge holds (and renews) the in-flight marker. */
  owner: boolean;
  published: Set<Urgency>;
  /** How long a request waits for it: its queue's job timeout. */
  timeoutMs: number;
  result: Promise<JobResult>;
  resolve(r: JobResult): void;
  /** Renews the lease (owner) or watches for a lapsed marker (joined). */
  timer: ReturnType<typeof setInterval> | null;
  /** When it is given up without a result: two job timeouts after the last request. */
  expiry: ReturnType<typeof setTimeout>;
  /** The first request's claim and publish (or join); later requests wait for it. */
  settling: Promise<void>;
}

const IN_FLIGHT_LEASE_MS = 6000;
const DEPTH_SAMPLE_MS = 250;
/** What a shed request is told to wait before it tries again. */
const SHED_RETRY_AFTER_S = 2;

export class Bridge {
  private readonly pending = new Map<string, Pending>();
  private readonly stopListening: () => void;
  private readonly leaseMs: number;

  /**
   * Each bounded queue's depth: sampled every DEPTH_SAMPLE_MS (a broker round trip each), and
   * counted up at each job accepted between samples, so a burst within one sample is bounded too.
   */
  private readonly depth = Object.fromEntries(QUEUE_NAMES.map((q) => [q, 0])) as Record<QueueName, number>;
  private readonly depthTimer: ReturnType<typeof setInterval> | null = null;

  constructor(private readonly o: BridgeOptions) {
    this.leaseMs = Math.min(o.leaseMs ?? IN_FLIGHT_LEASE_MS, o.jobTimeoutMs);
    this.stopListening = o.queue.onResult((r) => this.settle(r));
    const bounded = QUEUE_NAMES.filter((q) => o.maxQueue?.[q] !== undefined);
    if (bounded.length > 0) {
      const sample = () => {
        for (const q of bounded) void o.queue.depth(q).then((d) => (this.depth[q] = d), () => undefined);
      };
      sample();
      this.depthTimer = setInterval(sample, DEPTH_SAMPLE_MS);
      this.depthTimer.unref?.();
    }
  }

  /** The bound new work of this queue is over, if it is: it would wait behind more than its queue should hold. */
  private overloaded(queue: QueueName): number | null {
    const max = this.o.maxQueue?.[queue];
    return max !== undefined && this.depth[queue] >= max ? max : null;
  }

  private timeoutOf(queue: QueueName): number {
    return queue === 'video' ? (this.o.videoJobTimeoutMs ?? this.o.jobTimeoutMs) : this.o.jobTimeoutMs;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  async submit(req: JobRequest): Promise<Submitted> {
    let p = this.pending.get(req.key);
    if (p) {
      this.o.metrics.coalesced.inc();
      this.extend(p);
      // The first request's claim and publish (or join) first: until then nothing is published,
      // and publishing here too would run the job twice.
      await p.settling.catch(() => undefined);
      // An urgent request never waits behind a background job: it gets an urgent one.
      if (req.urgency === 'urgent' && !p.published.has('urgent') && this.pending.get(req.key) === p) await this.publish(req, p);
    } else {
      const queue = queueOf(req);
      const over = this.overloaded(queue);
      if (over !== null) {
        this.o.metrics.shed.inc({ queue });
        throw unavailable(`Overloaded: ${over} ${queue} jobs are waiting already; retry later`, SHED_RETRY_AFTER_S);
      }
      // Counted now, before its publish: a burst that arrives within one sample is bounded too.
      this.depth[queue]++;
      // Tracked before the first await: requests for the key that come meanwhile join this one.
      const tracked = (p = this.track(req.key, this.timeoutOf(queue)));
      tracked.settling = (async () => {
        try {
          await this.checkQuota(req);
        } catch (e) {
          if (isImgfloError(e)) tracked.resolve({ v: 1, id: 'quota', key: req.key, ok: false, error: e.toBody(), retryable: false });
          this.end(tracked, 'failed');
          throw e;
        }
        if (await this.claim(req.key, req.urgency)) {
          tracked.owner = true;
          this.enter(tracked, 'claimed');
          await this.publish(req, tracked);
        } else {
          await this.join(req, tracked);
        }
      })();
      await tracked.settling;
    }
    if (req.urgency === 'background') return { status: 202 };
    return this.wait(p);
  }

  /** Another bridge holds the marker: its completion reaches us too; watch that it lives. */
  private async join(req: JobRequest, p: Pending): Promise<void> {
    this.o.metrics.coalesced.inc();
    this.enter(p, 'joined');
    // It may have finished just before we listened: then the index has it (a revalidation
    // starts from a stored result, so that tells it nothing).
    const done = req.revalidate ? null : await this.o.index.get(req.key).catch(() => null);
    if (done) return this.settle(indexed(req.key, done));
    const holder = await this.o.index.claimHolder(req.key).catch(() => null);
    if (req.urgency === 'urgent' && holder !== 'urgent') {
      await this.o.index.claim(req.key, this.leaseMs, 'urgent', { force: true }).catch(() => false);
      p.owner = true;
      await this.publish(req, p);
      return;
    }
    p.published.add(req.urgency);
    p.timer = setInterval(() => void this.watch(req, p), Math.max(50, this.leaseMs / 2));
    p.timer.unref?.();
  }

  /** A joined job whose marker lapsed without a result: its owner is gone, so take it over. */
  private async watch(req: JobRequest, p: Pending): Promise<void> {
    if (p.state !== 'joined') return;
    const done = req.revalidate ? null : await this.o.index.get(req.key).catch(() => null);
    if (done) return this.settle(indexed(req.key, done));
    if (!(await this.claim(req.key, p.published.has('urgent') ? 'urgent' : req.urgency))) return;
    if (p.state !== 'joined') return;
    this.o.log.warn({ key: req.key }, 'in-flight marker lapsed without a result: taking the job over');
    clearInterval(p.timer!);
    p.timer = null;
    p.owner = true;
    p.published.clear();
    await this.publish(req, p).catch(() => undefined);
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
  private async claim(key: string, urgency: Urgency): Promise<boolean> {
    try {
      return await this.o.index.claim(key, this.leaseMs, urgency);
    } catch (e) {
      this.o.log.warn({ err: e }, 'cache index unavailable: coalescing within this bridge only');
      return true;
    }
  }

  private track(key: string, timeoutMs: number): Pending {
    let resolve!: (r: JobResult) => void;
    const result = new Promise<JobResult>((r) => (resolve = r));
    const p: Pending = { key, state: 'claimed', owner: false, published: new Set(), timeoutMs, result, resolve, timer: null, expiry: undefined as never, settling: Promise.resolve() };
    this.pending.set(key, p);
    this.extend(p);
    return p;
  }

  /** A request for the key came: the job is given up only two job timeouts after the last one. */
  private extend(p: Pending): void {
    clearTimeout(p.expiry);
    p.expiry = setTimeout(() => this.end(p, 'given-up'), 2 * p.timeoutMs);
    p.expiry.unref?.();
  }

  private enter(p: Pending, state: JobState): void {
    p.state = state;
    this.o.onTransition?.(p.key, state);
  }

  private async publish(req: JobRequest, p: Pending): Promise<void> {
    const now = this.o.clock.now();
    const job: Job = { ...req, id: crypto.randomUUID(), createdAt: now, deadline: now + p.timeoutMs, attempt: 1 };
    p.published.add(req.urgency);
    try {
      await this.o.queue.publish(job);
    } catch (e) {
      this.o.log.error({ err: e, requestId: req.requestId }, 'publish failed');
      const error = unavailable('Job queue unavailable');
      // Release what this job holds, and answer everyone waiting on it.
      if (p.owner) await this.o.index.release(req.key).catch(() => undefined);
      p.resolve({ v: 1, id: job.id, key: req.key, ok: false, error: error.toBody(), retryable: true });
      this.end(p, 'failed');
      throw error;
    }
    this.o.metrics.jobsPublished.inc({ urgency: req.urgency, queue: queueOf(req) });
    if (p.state === 'published' || (p.state === 'joined' && !p.owner)) return;
    this.enter(p, 'published');
    if (p.owner && p.timer === null) {
      // The lease outlives this bridge by at most one period: renew it while the job is ours.
      p.timer = setInterval(() => void this.o.index.renewClaim(req.key, this.leaseMs).catch(() => false), Math.max(50, this.leaseMs / 3));
      p.timer.unref?.();
    }
  }

  private async wait(p: Pending): Promise<Submitted> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeout(Math.ceil(p.timeoutMs / 5000))), p.timeoutMs);
    });
    try {
      const r = await Promise.race([p.result, deadline]);
      if (r.ok) return { status: 200, objectKey: r.objectKey };
      throw ImgfloError.fromBody(r.error as ErrorBody, r.retryable);
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(r: JobResult): void {
    const p = this.pending.get(r.key);
    if (!p) return;
    p.resolve(r);
    this.end(p, r.ok ? 'answered' : 'failed');
  }

  /** The job leaves this bridge: timers stop, the entry goes (a marker it held lapses or was released). */
  private end(p: Pending, state: JobState): void {
    if (this.pending.get(p.key) !== p) return;
    this.enter(p, state);
    clearTimeout(p.expiry);
    if (p.timer) clearInterval(p.timer);
    this.pending.delete(p.key);
  }

  close(): void {
    this.stopListening();
    if (this.depthTimer) clearInterval(this.depthTimer);
    for (const p of [...this.pending.values()]) this.end(p, 'given-up');
  }
}

const indexed = (key: string, objectKey: string): JobResult => ({
  v: 1,
  id: 'index',
  key,
  ok: true,
  objectKey,
  cached: true,
  timings: { queue: 0, fetch: 0, process: 0, upload: 0 },
});
