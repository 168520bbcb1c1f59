import { describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../shared/memory/object-store.ts';
import { contentDigest } from './runtime/digest.ts';
import { currentResult, retire, storeResult, sweep, SWEEP_GRACE_MS } from './results.ts';

function clock(start = 1_000_000) {
  let t = start;
  return { now: () => t, advance: (ms: number) => void (t += ms) };
}

const bytes = (...b: number[]) => new Uint8Array(b);

describe('stored results', () => {
  it('names a result by its bytes: equal bytes, equal name; other bytes, another', () => {
    expect(contentDigest(bytes(1, 2, 3))).toMatch(/^[0-9a-f]{16}$/);
    expect(contentDigest(bytes(1, 2, 3))).toBe(contentDigest(bytes(1, 2, 3)));
    expect(contentDigest(bytes(1, 2, 4))).not.toBe(contentDigest(bytes(1, 2, 3)));
  });

  it('takes the newest result of a key that is not retired back into use', async () => {
    const c = clock();
    const store = new MemoryObjectStore(c);
    const key = 'a'.repeat(40);
    expect(await currentResult(store, 'results', key)).toBeNull();
    await store.put(`results/${key}/1111.jpg`, bytes(1), 'image/jpeg');
    c.advance(1000);
    await store.put(`results/${key}/2222.jpg`, bytes(2), 'image/jpeg');
    // Another key that shares the first characters is not this key's.
    await store.put(`results/${key}0/3333.jpg`, bytes(3), 'image/jpeg');
    expect(await currentResult(store, 'results', key)).toBe(`results/${key}/2222.jpg`);
    await retire(store, `results/${key}/2222.jpg`, c.now());
    expect(await currentResult(store, 'results', key)).toBe(`results/${key}/1111.jpg`);
    await retire(store, `results/${key}/1111.jpg`, c.now());
    expect(await currentResult(store, 'results', key)).toBeNull();
  });

  it('keeps a retired result readable for the keeping time, then removes it and its marker', async () => {
    const c = clock();
    const store = new MemoryObjectStore(c);
    await store.put('results/k/old.jpg', bytes(1), 'image/jpeg');
    await store.put('results/k/new.jpg', bytes(2), 'image/jpeg');
    await retire(store, 'results/k/old.jpg', c.now());
    // Kept for 60 s and the grace that a store's coarser clock asks for.
    c.advance(60_000 + SWEEP_GRACE_MS - 1);
    expect(await sweep(store, 60, c.now())).toEqual([]);
    expect(await store.get('results/k/old.jpg')).toMatchObject({ body: bytes(1) });
    c.advance(1);
    expect(await sweep(store, 60, c.now())).toEqual(['results/k/old.jpg']);
    expect(await store.list('')).toEqual([{ key: 'results/k/new.jpg', lastModified: expect.any(Number) }]);
    // Nothing is left to sweep; sweeping again is harmless.
    expect(await sweep(store, 60, c.now() + 3_600_000)).toEqual([]);
  });

  it('names a result made again after its bytes were retired anew, so the sweep cannot take the new one', async () => {
    const c = clock();
    const store = new MemoryObjectStore(c);
    const o = { prefix: 'results', key: 'k', outtype: 'png' as const, body: bytes(7, 7), contentType: 'image/png', now: c.now() };
    const first = await storeResult(store, o);
    expect(first).toBe(`results/k/${contentDigest(o.body)}.png`);
    // The same bytes again while in use: the same object, left as it was.
    c.advance(5);
    expect(await storeResult(store, { ...o, now: c.now() })).toBe(first);
    await retire(store, first, c.now());
    c.advance(10);
    const again = await storeResult(store, { ...o, now: c.now() });
    expect(again).toMatch(/^results\/k\/[0-9a-f]{16}\.png$/);
    expect(again).not.toBe(first);
    expect(await store.get(again)).toMatchObject({ body: o.body, contentType: 'image/png' });
    c.advance(3_600_000);
    expect(await sweep(store, 60, c.now())).toEqual([first]);
    expect(await currentResult(store, 'results', 'k')).toBe(again);
  });

  it('keeps an object stored again after a sweep stopped between its two deletions, and drops the marker left', async () => {
    const c = clock();
    const store = new MemoryObjectStore(c);
    const o = { prefix: 'results', key: 'k', outtype: 'png' as const, body: bytes(3), contentType: 'image/png', now: c.now() };
    const named = await storeResult(store, o);
    await retire(store, named, c.now());
    c.advance(3_600_000);
    // The sweep removed the object, then stopped before the marker.
    await store.delete(named);
    c.advance(1000);
    // The key is free: the same bytes are stored under it again, in one write.
    expect(await storeResult(store, { ...o, now: c.now() })).toBe(named);
    expect(await sweep(store, 60, c.now())).toEqual([]);
    expect(await store.get(named)).toMatchObject({ body: o.body });
    expect(await store.list('retired/')).toEqual([]);
    expect(await currentResult(store, 'results', 'k')).toBe(named);
  });
});
