/** The behaviour every CacheIndex adapter must have; run against each adapter. */
import { describe, expect, it } from 'vitest';
import type { CacheIndex } from '../ports.ts';

export interface CacheIndexFixture {
  index: CacheIndex;
  /** Lets time pass: a fake clock advances, a real one is waited for. */
  pass(ms: number): Promise<void>;
}

export function cacheIndexContract(name: string, make: () => Promise<CacheIndexFixture>) {
  describe(`CacheIndex contract: ${name}`, () => {
    const key = () => Math.random().toString(16).slice(2).padEnd(40, '0').slice(0, 40);

    it('answers null for a key it never saw', async () => {
      const { index } = await make();
      expect(await index.get(key())).toBeNull();
    });

    it('returns the object key that was set', async () => {
      const { index } = await make();
      const k = key();
      await index.set(k, `p/${k}.jpg`, 60);
      expect(await index.get(k)).toBe(`p/${k}.jpg`);
    });

    it('remembers a failure for its TTL, apart from the result entry', async () => {
      const { index, pass } = await make();
      const k = key();
      expect(await index.failure(k)).toBeNull();
      await index.rememberFailure(k, '{"reason":"processing-timeout"}', 1);
      expect(await index.failure(k)).toBe('{"reason":"processing-timeout"}');
      expect(await index.get(k)).toBeNull();
      await pass(1100);
      expect(await index.failure(k)).toBeNull();
    });

    it('forgets an entry once its TTL has passed', async () => {
      const { index, pass } = await make();
      const k = key();
      await index.set(k, 'p/x.png', 1);
      expect(await index.get(k)).toBe('p/x.png');
      await pass(1100);
      expect(await index.get(k)).toBeNull();
    });

    it('keeps what a marker holds, renews it while it lives, and lets it be taken over by force', async () => {
      const { index, pass } = await make();
      const k = key();
      expect(await index.claimHolder(k)).toBeNull();
      expect(await index.renewClaim(k, 1000)).toBe(false);
      expect(await index.claim(k, 1000, 'background')).toBe(true);
      expect(await index.claimHolder(k)).toBe('background');
      expect(await index.claim(k, 1000, 'urgent')).toBe(false);
      expect(await index.claim(k, 1000, 'urgent', { force: true })).toBe(true);
      expect(await index.claimHolder(k)).toBe('urgent');
      await pass(700);
      expect(await index.renewClaim(k, 1000)).toBe(true);
      await pass(700);
      expect(await index.claimHolder(k)).toBe('urgent');
      await pass(500);
      expect(await index.claimHolder(k)).toBeNull();
    });

    it('gives an in-flight marker to one claimant until it is released or expires', async () => {
      const { index, pass } = await make();
      const k = key();
      expect(await index.claim(k, 60_000)).toBe(true);
      expect(await index.claim(k, 60_000)).toBe(false);
      await index.release(k);
      expect(await index.claim(k, 1000)).toBe(true);
      await pass(1100);
      expect(await index.claim(k, 1000)).toBe(true);
    });

    it('finds stored results by graph and by input, until their lineage is forgotten', async () => {
      const { index } = await make();
      const graph = `g-${crypto.randomUUID()}`;
      const input = `https://example.com/${crypto.randomUUID()}.jpg`;
      const a = key();
      const b = key();
      await index.recordLineage({ key: a, objectKey: `p/${a}.jpg`, graph, input });
      await index.recordLineage({ key: b, objectKey: `p/${b}.png`, graph, input: null });
      expect(await index.lineage({ graph })).toEqual([{ key: a, objectKey: `p/${a}.jpg` }, { key: b, objectKey: `p/${b}.png` }].sort((x, y) => `${x.key} ${x.objectKey}`.localeCompare(`${y.key} ${y.objectKey}`)));
      expect(await index.lineage({ input })).toEqual([{ key: a, objectKey: `p/${a}.jpg` }]);
      await index.forgetLineage({ graph });
      expect(await index.lineage({ graph })).toEqual([]);
      expect(await index.lineage({ input })).toHaveLength(1);
    });

    it('keeps the versions of a result\'s sources for their TTL', async () => {
      const { index, pass } = await make();
      const k = key();
      expect(await index.sources(k)).toBeNull();
      const sources = [{ input: 'https://example.com/a.jpg', digest: 'd1', etag: '"x"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' }, { input: 'files/b.png', digest: 'd2' }];
      await index.recordSources(k, sources, 1);
      expect(await index.sources(k)).toEqual(sources);
      await pass(1100);
      expect(await index.sources(k)).toBeNull();
    });

    it('answers a stale result to one caller at a time, and holds it fresh for the time given', async () => {
      const { index, pass } = await make();
      const k = key();
      // Never marked fresh: stale, claimed once.
      expect(await index.claimStale(k, 1)).toBe(true);
      expect(await index.claimStale(k, 1)).toBe(false);
      await pass(1100);
      expect(await index.claimStale(k, 60)).toBe(true);
      // Marked fresh (revalidated): not stale until that passes.
      await index.markFresh(k, 1);
      expect(await index.claimStale(k, 60)).toBe(false);
      await pass(1100);
      expect(await index.claimStale(k, 60)).toBe(true);
    });

    it('reads an entry and its failure together', async () => {
      const { index } = await make();
      const k = key();
      expect(await index.lookup(k)).toEqual({ objectKey: null, failure: null });
      await index.set(k, `p/${k}.jpg`, 60);
      await index.rememberFailure(k, '{"status":422}', 60);
      expect(await index.lookup(k)).toEqual({ objectKey: `p/${k}.jpg`, failure: '{"status":422}' });
    });

    it('commits a result whole: entry, sources, freshness, lineage by graph and every input, and the release', async () => {
      const { index, pass } = await make();
      const k = key();
      const graph = `g-${crypto.randomUUID()}`;
      const inputs = [`https://example.com/${crypto.randomUUID()}.jpg`, `files/${crypto.randomUUID()}.png`];
      const sources = [{ input: inputs[0]!, digest: 'd1' }];
      expect(await index.claim(k, 60_000)).toBe(true);
      await index.commit({ key: k, objectKey: `p/${k}.jpg`, ttlSeconds: 60, sources, freshSeconds: 1, graph, inputs, release: true });
      expect(await index.get(k)).toBe(`p/${k}.jpg`);
      expect(await index.sources(k)).toEqual(sources);
      expect(await index.claimStale(k, 60)).toBe(false);
      expect(await index.lineage({ graph })).toEqual([{ key: k, objectKey: `p/${k}.jpg` }]);
      for (const input of inputs) expect(await index.lineage({ input })).toEqual([{ key: k, objectKey: `p/${k}.jpg` }]);
      expect(await index.claimHolder(k)).toBeNull();
      await pass(1100);
      expect(await index.claimStale(k, 60)).toBe(true);
    });

    it('keeps the in-flight marker when a commit does not release it, and keeps no freshness when none is given', async () => {
      const { index } = await make();
      const k = key();
      expect(await index.claim(k, 60_000, 'urgent')).toBe(true);
      await index.commit({ key: k, objectKey: `p/${k}.png`, ttlSeconds: 60, sources: [], freshSeconds: null, graph: `g-${crypto.randomUUID()}`, inputs: [], release: false });
      expect(await index.get(k)).toBe(`p/${k}.png`);
      expect(await index.claimHolder(k)).toBe('urgent');
      expect(await index.claimStale(k, 60)).toBe(true);
    });

    it('forgets a deleted entry', async () => {
      const { index } = await make();
      const k = key();
      await index.set(k, 'p/x.png', 60);
      await index.delete(k);
      expect(await index.get(k)).toBeNull();
    });
  });
}
