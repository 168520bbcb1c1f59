/**
 * Every cache an edge isolate keeps is bounded twice: by entries and by bytes (keys and values
 * as UTF-16 strings), so neither many small entries nor a few long ones can grow the isolate.
 * The least recently used entry goes first; `ttlMs` (when given) ends an entry's life.
 */
import { LRUCache } from 'lru-cache';

export interface CacheBounds {
  max: number;
  maxBytes: number;
  ttlMs?: number;
  now?: () => number;
}

/** The bytes an entry holds, about: its key and its value as JSON, two bytes a character. */
const entryBytes = (key: string, value: unknown) => 2 * (key.length + (typeof value === 'string' ? value.length : (JSON.stringify(value)?.length ?? 8)));

export function boundedCache<V extends NonNullable<unknown>>(bounds: CacheBounds): LRUCache<string, V> {
  return new LRUCache<string, V>({
    max: bounds.max,
    maxSize: bounds.maxBytes,
    // An entry larger than the whole budget is not kept at all.
    maxEntrySize: bounds.maxBytes,
    sizeCalculation: (value, key) => Math.max(1, entryBytes(key, value)),
    // ttlResolution 0: the clock is read at each get, not a copy refreshed by a timer.
    ...(bounds.ttlMs !== undefined && { ttl: bounds.ttlMs, ttlResolution: 0 }),
    ...(bounds.now && { perf: { now: bounds.now } }),
  });
}
