/**
 * The edge's app lookup under keys an attacker chooses: a key longer than any app's is refused
 * before any lookup, and what the isolate keeps of looked-up keys stays within its byte bound.
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { describe, expect, it } from 'vitest';
import { MAX_APP_KEY_LENGTH } from '../shared/apps.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { appFinder } from './apps.ts';
import { authenticate } from './auth.ts';

/** The registry as the edge reads it (GET over Upstash), counting reads. */
function registry() {
  const kv = new MemoryKv();
  const reads: string[] = [];
  const redis = { get: async (key: string) => (reads.push(key), kv.get(key)) } as unknown as Redis;
  return { redis, reads };
}

const path = (apikey: string, token = 'A'.repeat(43)) => ({ apikey, token, graphspec: 'crop', graph: 'crop', ext: '' });

describe('API keys at the edge', () => {
  it('refuses a 50 KB key with 403 before any lookup', async () => {
    const { redis, reads } = registry();
    const findApp = appFinder({ envApps: new Map(), redis, cacheSeconds: 30, now: Date.now });
    await expect(authenticate(path('k'.repeat(50_000)), '', { authRequired: true, legacyTokens: true, findApp })).rejects.toMatchObject({ status: 403 });
    await expect(authenticate(path('k'.repeat(MAX_APP_KEY_LENGTH + 1)), '', { authRequired: true, legacyTokens: true, findApp })).rejects.toMatchObject({ status: 403 });
    // A token of no known form is refused before the key is looked up, too.
    await expect(authenticate(path('k', 'x'.repeat(50_000)), '', { authRequired: true, legacyTokens: true, findApp })).rejects.toMatchObject({ status: 403 });
    expect(reads).toEqual([]);
    await expect(authenticate(path('k'.repeat(MAX_APP_KEY_LENGTH)), '', { authRequired: true, legacyTokens: true, findApp })).rejects.toMatchObject({ status: 403 });
    expect(reads).toHaveLength(1);
  });

  it('keeps unknown keys within its byte bound, the least recently used going first', async () => {
    const { redis, reads } = registry();
    const findApp = appFinder({ envApps: new Map(), redis, cacheSeconds: 3600, now: Date.now });
    // 20 000 keys of the longest length: about 10 MB if all were kept, over the 2 MB bound.
    const keys = Array.from({ length: 20_000 }, (_, i) => `${i}`.padStart(MAX_APP_KEY_LENGTH, 'k'));
    for (const key of keys) expect(await findApp(key)).toBeNull();
    expect(reads).toHaveLength(20_000);
    // The newest are still known (no read); the oldest were let go (read again).
    await findApp(keys.at(-1)!);
    expect(reads).toHaveLength(20_000);
    await findApp(keys[0]!);
    expect(reads).toHaveLength(20_001);
  });
});
