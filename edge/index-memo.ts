/**
 * Short in-isolate memos of what the cache holds: a hot URL is answered without a round trip
 * to Redis (an index hit) or to storage (an `/info` description). Results are
 * content-addressed, so a remembered one stays right; only a purge or an expired entry is seen
 * up to `ttlMs` late.
 */
import type { CacheIndex } from '../shared/ports.ts';
import { boundedCache } from './bounded-cache.ts';

export interface MemoOptions {
  ttlMs: number;
  max: number;
  maxBytes: number;
  now: () => number;
}

/** `load` with its found values (not null, not a failure) kept for `ttlMs`, within `max` and `maxBytes`. */
export function memoized<V extends NonNullable<unknown>>(load: (key: string) => Promise<V | null>, options: MemoOptions): (key: string) => Promise<V | null> {
  if (options.ttlMs <= 0) return load;
  const memo = boundedCache<V>(options);
  return async (key) => {
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    const value = await load(key);
    if (value !== null) memo.set(key, value);
    return value;
  };
}

export function memoizedIndex(index: CacheIndex, options: MemoOptions): CacheIndex {
  if (options.ttlMs <= 0) return index;
  return { ...index, get: memoized((key) => index.get(key), options) };
}
