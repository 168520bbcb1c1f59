/** The in-memory cache index: entries expire after their TTL like Redis keys do. */
import { indexKey, inflightKey } from '../cache-key.ts';
import type { CacheIndex } from '../ports.ts';
import type { MemoryKv } from './kv.ts';

export class MemoryCacheIndex implements CacheIndex {
  constructor(private readonly kv: MemoryKv) {}

  async get(key: string): Promise<string | null> {
    return this.kv.get(indexKey(key));
  }

  async set(key: string, objectKey: string, ttlSeconds: number): Promise<void> {
    this.kv.set(indexKey(key), objectKey, { ex: ttlSeconds });
  }

  async delete(key: string): Promise<void> {
    this.kv.del(indexKey(key));
  }

  async claim(key: string, ttlMs: number): Promise<boolean> {
    return this.kv.set(inflightKey(key), '1', { nx: true, px: ttlMs }) === 'OK';
  }

  async release(key: string): Promise<void> {
    this.kv.del(inflightKey(key));
  }
}
