/** What every edge route can reach: the dependencies built once per isolate, the request id. */
import type { ErrorReason } from '../shared/errors.ts';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import type { CacheIndex } from '../shared/ports.ts';
import type { BridgeClient } from './bridge-client.ts';
import type { App, EdgeConfig } from './config.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { ResultsBucket, WorkersCache } from './stored-result.ts';

export interface EdgeDeps {
  config: EdgeConfig;
  catalogue: Catalogue;
  index: CacheIndex;
  bridge: BridgeClient;
  /** The app of a key; `maxAgeSeconds` bounds how old a kept answer may be. */
  findApp(key: string, maxAgeSeconds?: number): Promise<App | null>;
  /** Static files of examples/ (the Workers assets binding). */
  assets: { fetch(request: Request): Promise<Response> } | null;
  pkg: { name: string; version: string };
  /** Limits requests per app (or per client address without one); null: no limit. */
  rateLimit: RateLimiter | null;
  /** Makes a short-lived URL for an object (presigned mode); null: public URLs. */
  presign: ((objectKey: string) => Promise<string>) | null;
  /** Fetches a stored result by its public (or presigned) URL, as a client following the redirect would. */
  fetchResult(url: string): Promise<Response>;
  /** The results' R2 bucket binding (IMGFLO_DELIVERY=proxy reads from it); null: read by URL. */
  results: ResultsBucket | null;
  /** The colo's cache for results read (Workers Cache API); null: none. */
  resultsCache: WorkersCache | null;
  now(): number;
  /** Writes one structured log line. */
  log(line: Record<string, unknown>): void;
}

/**
 * `hit`: the request was answered from the cache index. `fallbackFor`: the answer is the
 * processing of the fallback input, standing in for an input that failed for this reason.
 */
export type AppEnv = { Variables: { requestId: string; hit?: boolean; fallbackFor?: ErrorReason } };
