/** The cache index as the edge reads it: Upstash Redis over REST (@upstash/redis). */
import { Redis } from '@upstash/redis/cloudflare';
import { commitLineage, failureKey, freshKey, indexKey, inflightKey, lineageKey, lineageMember, parseLineageMember, sourcesKey } from '../shared/cache-key.ts';
import type { CacheIndex, SourceVersion } from '../shared/ports.ts';

/** The edge's Upstash client: values come back as the strings they were stored as. */
export function upstashClient(url: string, token: string): Redis {
  return new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false, retry: { retries: 1 } });
}

export function upstashIndex(redis: Redis): CacheIndex {
  return {
    get: (key) => redis.get<string>(indexKey(key)),
    lookup: async (key) => {
      const [objectKey = null, failure = null] = await redis.mget<Array<string | null>>(indexKey(key), failureKey(key));
      return { objectKey, failure };
    },
    commit: async (c) => {
      const { member, sets } = await commitLineage(c);
      const tx = redis.multi().set(indexKey(c.key), c.objectKey, { ex: c.ttlSeconds }).set(sourcesKey(c.key), JSON.stringify(c.sources), { ex: c.ttlSeconds });
      if (c.freshSeconds !== null) tx.set(freshKey(c.key), '1', { ex: c.freshSeconds });
      for (const set of sets) tx.sadd(set, member);
      if (c.release) tx.del(inflightKey(c.key));
      await tx.exec();
    },
    set: async (key, objectKey, ttlSeconds) => {
      await redis.set(indexKey(key), objectKey, { ex: ttlSeconds });
    },
    delete: async (key) => {
      await redis.del(indexKey(key));
    },
    claim: async (key, ttlMs, holder = '1', options = {}) =>
      (await (options.force ? redis.set(inflightKey(key), holder, { px: ttlMs }) : redis.set(inflightKey(key), holder, { nx: true, px: ttlMs }))) === 'OK',
    claimHolder: (key) => redis.get<string>(inflightKey(key)),
    renewClaim: async (key, ttlMs) => (await redis.pexpire(inflightKey(key), ttlMs)) === 1,
    release: async (key) => {
      await redis.del(inflightKey(key));
    },
    rememberFailure: async (key, error, ttlSeconds) => {
      await redis.set(failureKey(key), error, { ex: ttlSeconds });
    },
    failure: (key) => redis.get<string>(failureKey(key)),
    recordLineage: async (r) => {
      const member = lineageMember(r.key, r.objectKey);
      await redis.sadd(await lineageKey({ graph: r.graph }), member);
      if (r.input !== null) await redis.sadd(await lineageKey({ input: r.input }), member);
    },
    lineage: async (of) => ((await redis.smembers(await lineageKey(of))) as string[]).sort().map(parseLineageMember),
    forgetLineage: async (of) => {
      await redis.del(await lineageKey(of));
    },
    recordSources: async (key, sources, ttlSeconds) => {
      await redis.set(sourcesKey(key), JSON.stringify(sources), { ex: ttlSeconds });
    },
    sources: async (key) => {
      const s = await redis.get<string>(sourcesKey(key));
      return s === null ? null : (JSON.parse(s) as SourceVersion[]);
    },
    markFresh: async (key, seconds) => {
      await redis.set(freshKey(key), '1', { ex: seconds });
    },
    claimStale: async (key, holdSeconds) => (await redis.set(freshKey(key), 'revalidating', { nx: true, ex: holdSeconds })) === 'OK',
  };
}
