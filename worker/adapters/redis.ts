/**
 * Redis for the backend: the cache index with in-flight markers, and the command runner behind
 * the Upstash-compatible proxy. Commands fail fast while Redis is away (no offline queue), so
 * callers can degrade instead of hanging; the client reconnects by itself.
 */
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { commitLineage, failureKey, freshKey, indexKey, inflightKey, lineageKey, lineageMember, parseLineageMember, sourcesKey } from '../../shared/cache-key.ts';
import { APPS_SET, appKey, decodeApp, quotaKey, type AppRecord } from '../../shared/apps.ts';
import type { AppRegistry, CacheIndex, IndexCommit, Lineage, LineageQuery, SourceVersion } from '../../shared/ports.ts';
import type { CommandResult } from '../embedded/kv-commands.ts';
import { backoffMs, RECONNECT } from '../../shared/backoff.ts';

export function createRedis(url: string): Redis {
  return new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
    commandTimeout: 2000,
    retryStrategy: (attempt) => backoffMs(attempt, RECONNECT),
    lazyConnect: true,
  });
}

/** Connects, waiting until Redis answers (or throws after `ms`). */
export async function connectRedis(redis: Redis, ms = 10_000): Promise<void> {
  if (redis.status === 'ready') return;
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (redis.status === 'wait' || redis.status === 'end') await redis.connect();
      await redis.ping();
      return;
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export class RedisCacheIndex implements CacheIndex {
  constructor(private readonly redis: Redis) {}

  get(key: string): Promise<string | null> {
    return this.redis.get(indexKey(key));
  }

  async set(key: string, objectKey: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(indexKey(key), objectKey, 'EX', ttlSeconds);
  }

  async lookup(key: string): Promise<{ objectKey: string | null; failure: string | null }> {
    const [objectKey = null, failure = null] = await this.redis.mget(indexKey(key), failureKey(key));
    return { objectKey, failure };
  }

  /** One MULTI/EXEC, sent in one write: every command of it or none. */
  async commit(c: IndexCommit): Promise<void> {
    const { member, sets } = await commitLineage(c);
    const tx = this.redis.multi().set(indexKey(c.key), c.objectKey, 'EX', c.ttlSeconds).set(sourcesKey(c.key), JSON.stringify(c.sources), 'EX', c.ttlSeconds);
    if (c.freshSeconds !== null) tx.set(freshKey(c.key), '1', 'EX', c.freshSeconds);
    for (const set of sets) tx.sadd(set, member);
    if (c.release) tx.del(inflightKey(c.key));
    const replies = await tx.exec();
    const failed = replies?.find(([e]) => e !== null)?.[0];
    if (replies === null || failed) throw failed ?? new Error('the index transaction was aborted');
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(indexKey(key));
  }

  async claim(key: string, ttlMs: number, holder = '1', options: { force?: boolean } = {}): Promise<boolean> {
    if (options.force) return (await this.redis.set(inflightKey(key), holder, 'PX', ttlMs)) === 'OK';
    return (await this.redis.set(inflightKey(key), holder, 'PX', ttlMs, 'NX')) === 'OK';
  }

  claimHolder(key: string): Promise<string | null> {
    return this.redis.get(inflightKey(key));
  }

  async renewClaim(key: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.pexpire(inflightKey(key), ttlMs)) === 1;
  }

  async release(key: string): Promise<void> {
    await this.redis.del(inflightKey(key));
  }

  async rememberFailure(key: string, error: string, ttlSeconds: number): Promise<void> {
    await this.redis.set(failureKey(key), error, 'EX', ttlSeconds);
  }

  failure(key: string): Promise<string | null> {
    return this.redis.get(failureKey(key));
  }

  async recordLineage(r: Lineage): Promise<void> {
    const member = lineageMember(r.key, r.objectKey);
    const tx = this.redis.multi().sadd(await lineageKey({ graph: r.graph }), member);
    if (r.input !== null) tx.sadd(await lineageKey({ input: r.input }), member);
    await tx.exec();
  }

  async lineage(of: LineageQuery): Promise<Array<{ key: string; objectKey: string }>> {
    return (await this.redis.smembers(await lineageKey(of))).sort().map(parseLineageMember);
  }

  async forgetLineage(of: LineageQuery): Promise<void> {
    await this.redis.del(await lineageKey(of));
  }

  async recordSources(key: string, sources: SourceVersion[], ttlSeconds: number): Promise<void> {
    await this.redis.set(sourcesKey(key), JSON.stringify(sources), 'EX', ttlSeconds);
  }

  async sources(key: string): Promise<SourceVersion[] | null> {
    const s = await this.redis.get(sourcesKey(key));
    return s === null ? null : (JSON.parse(s) as SourceVersion[]);
  }

  async markFresh(key: string, seconds: number): Promise<void> {
    await this.redis.set(freshKey(key), '1', 'EX', seconds);
  }

  async claimStale(key: string, holdSeconds: number): Promise<boolean> {
    return (await this.redis.set(freshKey(key), 'revalidating', 'EX', holdSeconds, 'NX')) === 'OK';
  }
}

/** Commands the Upstash proxy passes to Redis: what the edge and its rate limiter use. */
const ALLOWED = new Set([
  'ping', 'echo', 'get', 'mget', 'set', 'setex', 'getdel', 'del', 'exists', 'ttl', 'pttl', 'expire', 'pexpire',
  'incr', 'incrby', 'decr', 'decrby', 'hget', 'hmget', 'hset', 'hdel', 'hgetall', 'hincrby', 'eval', 'evalsha',
  'script', 'sadd', 'smembers', 'srem', 'zadd', 'zrange', 'zrem', 'zcard', 'zremrangebyscore', 'scan', 'time',
]);

/** Script flags Redis 7 knows; Upstash also accepts others (e.g. allow-key-locking). */
const REDIS_SCRIPT_FLAGS = new Set(['no-writes', 'allow-oom', 'allow-stale', 'no-cluster', 'allow-cross-slot-keys']);

const sha1 = (text: string) => createHash('sha1').update(text).digest('hex');

/** Drops the script flags that Upstash accepts and Redis does not. */
function portableScript(script: string): string {
  return script.replace(/^#!lua flags=([^\n]*)/, (_m, flags: string) => {
    const kept = flags.split(',').map((f) => f.trim()).filter((f) => REDIS_SCRIPT_FLAGS.has(f));
    return kept.length ? `#!lua flags=${kept.join(',')}` : '#!lua';
  });
}

export function redisCommandRunner(redis: Redis) {
  // Clients call EVALSHA with the hash of the script they know; Redis knows the rewritten one.
  const rewrittenSha = new Map<string, string>();
  return async (command: readonly unknown[]): Promise<CommandResult> => {
    const [name, ...raw] = command;
    const lower = String(name ?? '').toLowerCase();
    if (!ALLOWED.has(lower)) throw new Error(`ERR command '${lower}' is not allowed`);
    const args = raw.map((a) => (typeof a === 'string' || typeof a === 'number' ? String(a) : JSON.stringify(a)));
    if (lower === 'eval' && args[0]) {
      const portable = portableScript(args[0]);
      if (portable !== args[0]) rewrittenSha.set(sha1(args[0]), sha1(portable));
      args[0] = portable;
    } else if (lower === 'evalsha' && args[0]) {
      args[0] = rewrittenSha.get(args[0]) ?? args[0];
    } else if (lower === 'script' && args[0]?.toLowerCase() === 'load' && args[1]) {
      const portable = portableScript(args[1]);
      if (portable !== args[1]) rewrittenSha.set(sha1(args[1]), sha1(portable));
      await redis.call('script', 'load', portable);
      return sha1(args[1]);
    }
    return flatten(await redis.call(lower, ...args));
  };
}

/** Upstash answers maps as flat [field, value, …] arrays; ioredis may hand back an object. */
function flatten(result: unknown): CommandResult {
  if (Array.isArray(result)) return result.map(flatten);
  if (result !== null && typeof result === 'object') {
    return Object.entries(result as Record<string, unknown>).flatMap(([k, v]) => [k, flatten(v)]);
  }
  return result as CommandResult;
}

export class RedisAppRegistry implements AppRegistry {
  constructor(private readonly redis: Redis) {}

  async get(key: string): Promise<AppRecord | null> {
    return decodeApp(await this.redis.get(appKey(key)));
  }

  async put(app: AppRecord): Promise<void> {
    await this.redis.multi().set(appKey(app.key), JSON.stringify(app)).sadd(APPS_SET, app.key).exec();
  }

  async list(): Promise<AppRecord[]> {
    const keys = (await this.redis.smembers(APPS_SET)).sort();
    if (keys.length === 0) return [];
    const values = await this.redis.mget(keys.map(appKey));
    return values.map(decodeApp).filter((a): a is AppRecord => a !== null);
  }

  async countProcessed(key: string, month: string): Promise<number> {
    const [[, n]] = (await this.redis.multi().incr(quotaKey(key, month)).expire(quotaKey(key, month), 40 * 86_400).exec()) as [[null, number]];
    return n;
  }

  async processedIn(key: string, month: string): Promise<number> {
    return Number((await this.redis.get(quotaKey(key, month))) ?? 0);
  }
}
