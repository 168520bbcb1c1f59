/**
 * Short in-isolate memos of what the cache holds: a hot URL is answered without a round trip
 * to Redis (an index hit) or to storage (an `/info` description). Results are
 * content-addressed, so a remembered one stays right; only a purge or an expired entry is seen
 * up to `ttlMs` late.
 */
import type { CacheIndex } from '../shared/ports.ts';

export interface MemoOptions {
  ttlMs: number;
  max: number;
  now: () => number;
}

/** `load` with its found values (not null, not a failure) kept for `ttlMs`, at most `max`. */
export function memoized<V>(load: (key: string) => Promise<V | null>, options: MemoOptions): (key: string) => Promise<V | null> {
  if (options.ttlMs <= 0) return load;
  const memo = new Map<string, { value: V; until: number }>();
  return async (key) => {
    const hit = memo.get(key);
    if (hit && hit.until > options.now()) return hit.value;
    const value = await load(key);
    if (value !== null) {
      memo.delete(key);
      if (memo.size >= options.max) memo.delete(memo.keys().next().value!);
      memo.set(key, { value, until: options.now() + options.ttlMs });
    }
    return value;
  };
}

export function memoizedIndex(index: CacheIndex, options: MemoOptions): CacheIndex {
  if (options.ttlMs <= 0) return index;
  return { ...index, get: memoized((key) => index.get(key), options) };
}
