/** The in-memory cache index: entries expire after their TTL like Redis keys do. */
import { commitLineage, failureKey, freshKey, indexKey, inflightKey, lineageKey, lineageMember, parseLineageMember, sourcesKey } from '../cache-key.ts';
import type { CacheIndex, IndexCommit, Lineage, LineageQuery, SourceVersion } from '../ports.ts';
import type { MemoryKv } from './kv.ts';

export class MemoryCacheIndex implements CacheIndex {
  constructor(private readonly kv: MemoryKv) {}

  async get(key: string): Promise<string | null> {
    return this.kv.get(indexKey(key));
  }

  async set(key: string, objectKey: string, ttlSeconds: number): Promise<void> {
    this.kv.set(indexKey(key), objectKey, { ex: ttlSeconds });
  }

  async lookup(key: string): Promise<{ objectKey: string | null; failure: string | null }> {
    return { objectKey: this.kv.get(indexKey(key)), failure: this.kv.get(failureKey(key)) };
  }

  async commit(c: IndexCommit): Promise<void> {
    // The lineage's keys first: nothing is written until every part is ready (all or nothing).
    const { member, sets } = await commitLineage(c);
    this.kv.set(indexKey(c.key), c.objectKey, { ex: c.ttlSeconds });
    this.kv.set(sourcesKey(c.key), JSON.stringify(c.sources), { ex: c.ttlSeconds });
    if (c.freshSeconds !== null) this.kv.set(freshKey(c.key), '1', { ex: c.freshSeconds });
    for (const set of sets) this.kv.sadd(set, member);
    if (c.release) this.kv.del(inflightKey(c.key));
  }

  async delete(key: string): Promise<void> {
    this.kv.del(indexKey(key));
  }

  async claim(key: string, ttlMs: number, holder = '1', options: { force?: boolean } = {}): Promise<boolean> {
    return this.kv.set(inflightKey(key), holder, { nx: !options.force, px: ttlMs }) === 'OK';
  }

  async claimHolder(key: string): Promise<string | null> {
    return this.kv.get(inflightKey(key));
  }

  async renewClaim(key: string, ttlMs: number): Promise<boolean> {
    return this.kv.pexpire(inflightKey(key), ttlMs);
  }

  async release(key: string): Promise<void> {
    this.kv.del(inflightKey(key));
  }

  async rememberFailure(key: string, error: string, ttlSeconds: number): Promise<void> {
    this.kv.set(failureKey(key), error, { ex: ttlSeconds });
  }

  async failure(key: string): Promise<string | null> {
    return this.kv.get(failureKey(key));
  }

  async recordLineage(r: Lineage): Promise<void> {
    const member = lineageMember(r.key, r.objectKey);
    this.kv.sadd(await lineageKey({ graph: r.graph }), member);
    if (r.input !== null) this.kv.sadd(await lineageKey({ input: r.input }), member);
  }

  async lineage(of: LineageQuery): Promise<Array<{ key: string; objectKey: string }>> {
    return this.kv.smembers(await lineageKey(of)).map(parseLineageMember);
  }

  async forgetLineage(of: LineageQuery): Promise<void> {
    this.kv.delSet(await lineageKey(of));
  }

  async recordSources(key: string, sources: SourceVersion[], ttlSeconds: number): Promise<void> {
    this.kv.set(sourcesKey(key), JSON.stringify(sources), { ex: ttlSeconds });
  }

  async sources(key: string): Promise<SourceVersion[] | null> {
    const s = this.kv.get(sourcesKey(key));
    return s === null ? null : (JSON.parse(s) as SourceVersion[]);
  }

  async markFresh(key: string, seconds: number): Promise<void> {
    this.kv.set(freshKey(key), '1', { ex: seconds });
  }

  async claimStale(key: string, holdSeconds: number): Promise<boolean> {
    return this.kv.set(freshKey(key), 'revalidating', { nx: true, ex: holdSeconds }) === 'OK';
  }
}
