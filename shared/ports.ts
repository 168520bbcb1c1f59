/**
 * The ports between the service and the world. Each has an honest in-memory adapter in
 * shared/memory and a contract test suite in shared/contracts that every adapter must pass.
 */
import type { AppRecord } from './apps.ts';
import type { Job, JobResult } from './job.ts';
import type { QueueName } from './queues.ts';

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Cache key → object key of the stored result, with a TTL; and in-flight markers. */
export interface CacheIndex {
  get(key: string): Promise<string | null>;
  /** The entry and the failure remembered for `key`, read together (one round trip). */
  lookup(key: string): Promise<{ objectKey: string | null; failure: string | null }>;
  /**
   * A stored result's whole record at once (one round trip, all or nothing): its entry, the
   * versions of its sources, its freshness (when given), its lineage, and with `release` the
   * drop of its in-flight marker.
   */
  commit(c: IndexCommit): Promise<void>;
  set(key: string, objectKey: string, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
  /**
   * Marks a job for `key` as in flight for `ttlMs`, holding `holder` (what kind of job it is);
   * false when someone else holds the marker. With `force`, takes it over whatever it held.
   */
  claim(key: string, ttlMs: number, holder?: string, options?: { force?: boolean }): Promise<boolean>;
  /** What the in-flight marker of `key` holds; null when there is none. */
  claimHolder(key: string): Promise<string | null>;
  /** Extends the in-flight marker of `key` to `ttlMs` from now; false when it is gone. */
  renewClaim(key: string, ttlMs: number): Promise<boolean>;
  /** Drops the in-flight marker of `key`. */
  release(key: string): Promise<void>;
  /** Remembers for `ttlSeconds` that processing `key` failed, and how (a typed error body). */
  rememberFailure(key: string, error: string, ttlSeconds: number): Promise<void>;
  /** The failure remembered for `key`, as it was given; null when none is. */
  failure(key: string): Promise<string | null>;
  /** Remembers which graph and input a stored result came from, so it can be purged. */
  recordLineage(result: Lineage): Promise<void>;
  /** The stored results of a graph or of an input. */
  lineage(of: LineageQuery): Promise<Array<{ key: string; objectKey: string }>>;
  /** Forgets the lineage of a graph or of an input. */
  forgetLineage(of: LineageQuery): Promise<void>;
  /** Remembers, for `ttlSeconds`, the versions of the sources a result was made from. */
  recordSources(key: string, sources: SourceVersion[], ttlSeconds: number): Promise<void>;
  /** The versions of the sources the current result of `key` was made from; null when unknown. */
  sources(key: string): Promise<SourceVersion[] | null>;
  /** Marks the result of `key` fresh (its sources checked) for `seconds`. */
  markFresh(key: string, seconds: number): Promise<void>;
  /**
   * True, once, when the result of `key` is no longer fresh: the caller revalidates it, and the
   * result counts as fresh for `holdSeconds` meanwhile (others asking get false).
   */
  claimStale(key: string, holdSeconds: number): Promise<boolean>;
}

/** A source of a result as it was when the result was made: to tell later whether it changed. */
export interface SourceVersion {
  input: string;
  /** A digest of its bytes; for a chained `graph/...` input, the object key of the result read. */
  digest: string;
  /** Its server's validators, when it gave them. */
  etag?: string;
  lastModified?: string;
}

export interface IndexCommit {
  key: string;
  objectKey: string;
  ttlSeconds: number;
  sources: SourceVersion[];
  /** How long it counts as fresh (IMGFLO_SOURCE_MAX_AGE); null: no freshness is kept. */
  freshSeconds: number | null;
  graph: string;
  /** The inputs its lineage names (none: a generative graph). */
  inputs: string[];
  release: boolean;
}

export interface Lineage {
  key: string;
  objectKey: string;
  graph: string;
  input: string | null;
}

export type LineageQuery = { graph: string } | { input: string };

export interface Delivery {
  job: Job;
  /** True when the message was delivered before and not acknowledged. */
  redelivered: boolean;
  /** Acknowledges the message: it is done. Allowed once. */
  ack(): void;
  /** Gives the message back: to the queue again (requeue) or to the dead letters. */
  nack(options: { requeue: boolean }): void;
}

export interface Subscription {
  /** Stops taking new deliveries; those in flight still complete. */
  cancel(): Promise<void>;
}

export interface JobQueue {
  /**
   * Resolves once the job's queue (`queueOf(job)`) holds it (publisher confirm); `delayMs` holds
   * it back first. Within a queue, urgent jobs are delivered before background ones.
   */
  publish(job: Job, options?: { delayMs?: number }): Promise<void>;
  consume(
    queues: readonly QueueName[],
    prefetch: number,
    handler: (delivery: Delivery) => Promise<void>,
  ): Promise<Subscription>;
  publishResult(result: JobResult): Promise<void>;
  /** Listens to every result; returns the function that stops listening. */
  onResult(listener: (result: JobResult) => void): () => void;
  /** Jobs waiting in a queue (not yet delivered). */
  depth(queue: QueueName): Promise<number>;
  close(): Promise<void>;
}

export interface StoredObject {
  contentType: string;
  size: number;
}

/** An object as a listing names it: its key, and when it was last written (ms since the epoch). */
export interface ListedObject {
  key: string;
  lastModified: number;
}

export interface ObjectStore {
  head(objectKey: string): Promise<StoredObject | null>;
  delete(objectKey: string): Promise<void>;
  put(objectKey: string, body: Uint8Array, contentType: string): Promise<void>;
  /**
   * Writes the object only when no object has its key: true when written, false when one had it
   * (left as it was). In one request where the store can (`If-None-Match: *` on S3 and R2).
   */
  create(objectKey: string, body: Uint8Array, contentType: string): Promise<boolean>;
  get(objectKey: string): Promise<{ body: Uint8Array; contentType: string } | null>;
  /** Every object whose key starts with `prefix`, in key order. */
  list(prefix: string): Promise<ListedObject[]>;
}

/** The app registry: client applications and their monthly processing counts. */
export interface AppRegistry {
  get(key: string): Promise<AppRecord | null>;
  put(app: AppRecord): Promise<void>;
  list(): Promise<AppRecord[]>;
  /** Counts one processed image for the app in `month` (YYYY-MM); returns the new count. */
  countProcessed(key: string, month: string): Promise<number>;
  processedIn(key: string, month: string): Promise<number>;
}
