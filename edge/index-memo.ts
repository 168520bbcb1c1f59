/**
 * A short in-isolate memo of index hits: a hot URL is answered without a round trip to Redis.
 * Results are content-addressed, so a remembered hit stays right; only a purge or an expired
 * entry is seen up to `ttlMs` late.
 */
import type { CacheIndex } from '../shared/ports.ts';

export function memoizedIndex(index: CacheIndex, options: { ttlMs: number; max: number; now: () => number }): CacheIndex {
  if (options.ttlMs <= 0) return index;
  const memo = new Map<string, { objectKey: string; until: number }>();
  return {
    ...index,
    get: async (key) => {
      const hit = memo.get(key);
      if (hit && hit.until > options.now()) return hit.objectKey;
      const objectKey = await index.get(key);
      if (objectKey !== null) {
        if (memo.size >= options.max) memo.delete(memo.keys().next().value!);
        memo.set(key, { objectKey, until: options.now() + options.ttlMs });
      }
      return objectKey;
    },
  };
}
