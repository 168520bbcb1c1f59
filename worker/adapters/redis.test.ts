import { serve, type ServerType } from '@hono/node-server';
import { Redis as UpstashRedis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { upstashClient, upstashIndex } from '../../edge/upstash-index.ts';
import { cacheIndexContract } from '../../shared/contracts/cache-index.contract.ts';
import { createUpstashEndpoint } from '../embedded/upstash-endpoint.ts';
import { redisAvailable, REDIS_URL } from '../../test/helpers/services.ts';
import { appRegistryContract } from '../../shared/contracts/app-registry.contract.ts';
import { connectRedis, createRedis, RedisAppRegistry, RedisCacheIndex, redisCommandRunner } from './redis.ts';

const available = await redisAvailable();

describe.skipIf(!available)('real Redis', () => {
  const redis = createRedis(REDIS_URL);
  const TOKEN = 'proxy-test-token-1234567';
  let server: ServerType;
  let url: string;

  beforeAll(async () => {
    await connectRedis(redis);
    const app = createUpstashEndpoint(TOKEN, redisCommandRunner(redis));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
        url = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    redis.disconnect();
  });

  appRegistryContract('Redis', async () => new RedisAppRegistry(redis));
  cacheIndexContract('Redis', async () => ({ index: new RedisCacheIndex(redis), pass: (ms) => new Promise((r) => setTimeout(r, ms)) }));
  cacheIndexContract('edge Upstash adapter → Upstash proxy → Redis', async () => ({
    index: upstashIndex(upstashClient(url, TOKEN)),
    pass: (ms) => new Promise((r) => setTimeout(r, ms)),
  }));

  describe('Upstash proxy in front of Redis, with the @upstash/redis client', () => {
    const client = () => new UpstashRedis({ url, token: TOKEN, retry: false, enableTelemetry: false });
    const k = () => `imgflo:test:${crypto.randomUUID()}`;

    it('round-trips JSON, unicode and numeric-looking strings through base64', async () => {
      const r = client();
      const a = k();
      await r.set(a, { s: 'größe ✓ 画像', n: 2 }, { ex: 60 });
      expect(await r.get(a)).toEqual({ s: 'größe ✓ 画像', n: 2 });
      const raw = new UpstashRedis({ url, token: TOKEN, retry: false, automaticDeserialization: false, enableTelemetry: false });
      const b = k();
      await raw.set(b, '00123');
      expect(await raw.get(b)).toBe('00123');
      await r.del(a, b);
    });

    it('runs pipelines, hashes and scripts', async () => {
      const r = client();
      const a = k();
      const h = k();
      const p = r.pipeline();
      p.set(a, 'x', { ex: 30 });
      p.get(a);
      p.incr(`${a}:n`);
      p.hset(h, { f: 'v', g: 1 });
      p.hgetall(h);
      p.del(a, `${a}:n`, h);
      expect(await p.exec()).toEqual(['OK', 'x', 1, 2, { f: 'v', g: 1 }, 3]);
      expect(await r.eval('return ARGV[1]', [], ['hi'])).toBe('hi');
    });

    it('refuses administrative commands and a wrong token', async () => {
      const res = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(['flushall']) });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ error: "ERR command 'flushall' is not allowed" });
      await expect(new UpstashRedis({ url, token: 'nope', retry: false }).get('x')).rejects.toThrow(/Unauthorized/);
    });
  });
});
