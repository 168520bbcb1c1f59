import { describe, expect, it } from 'vitest';
import { MemoryCacheIndex } from '../shared/memory/cache-index.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { memoizedIndex } from './index-memo.ts';

describe('the edge memo of index hits', () => {
  it('answers a hit again without asking the index, until its time is up', async () => {
    let now = 1_000_000;
    const inner = new MemoryCacheIndex(new MemoryKv({ now: () => now }));
    let asked = 0;
    const counting = { ...inner, get: (k: string) => (asked++, inner.get(k)), set: inner.set.bind(inner) };
    const memo = memoizedIndex(counting as never, { ttlMs: 1000, max: 2, maxBytes: 1 << 20, now: () => now });
    await inner.set('a'.repeat(40), 'p/a.jpg', 3600);
    expect(await memo.get('a'.repeat(40))).toBe('p/a.jpg');
    expect(await memo.get('a'.repeat(40))).toBe('p/a.jpg');
    expect(asked).toBe(1);
    now += 1500;
    expect(await memo.get('a'.repeat(40))).toBe('p/a.jpg');
    expect(asked).toBe(2);
  });
  it('does not remember misses, and keeps at most `max` entries', async () => {
    const inner = new MemoryCacheIndex(new MemoryKv());
    const memo = memoizedIndex(inner, { ttlMs: 60_000, max: 2, maxBytes: 1 << 20, now: () => 0 });
    expect(await memo.get('b'.repeat(40))).toBeNull();
    await inner.set('b'.repeat(40), 'p/b.jpg', 3600);
    expect(await memo.get('b'.repeat(40))).toBe('p/b.jpg');
    for (const k of ['c', 'd']) {
      await inner.set(k.repeat(40), `p/${k}.jpg`, 3600);
      await memo.get(k.repeat(40));
    }
    await inner.delete('b'.repeat(40));
    expect(await memo.get('b'.repeat(40))).toBeNull();
  });
  it('keeps at most `maxBytes` of keys and values, and nothing larger than that', async () => {
    const inner = new MemoryCacheIndex(new MemoryKv());
    const memo = memoizedIndex(inner, { ttlMs: 60_000, max: 1000, maxBytes: 1000, now: () => 0 });
    let asked = 0;
    const counting = { ...inner, get: (k: string) => (asked++, inner.get(k)) };
    const bounded = memoizedIndex(counting as never, { ttlMs: 60_000, max: 1000, maxBytes: 1000, now: () => 0 });
    // Each entry is about 2 × (40 + 200) = 480 bytes: two fit, the third pushes the first out.
    for (const k of ['e', 'f', 'g']) await inner.set(k.repeat(40), `p/${k.repeat(200)}.jpg`, 3600);
    for (const k of ['e', 'f', 'g']) await bounded.get(k.repeat(40));
    expect(asked).toBe(3);
    await bounded.get('g'.repeat(40));
    await bounded.get('f'.repeat(40));
    expect(asked).toBe(3);
    await bounded.get('e'.repeat(40));
    expect(asked).toBe(4);
    // A value over the whole budget is answered, never kept.
    await inner.set('h'.repeat(40), `p/${'h'.repeat(2000)}.jpg`, 3600);
    expect(await memo.get('h'.repeat(40))).toMatch(/^p\/h+\.jpg$/);
  });
});
