import { serve, type ServerType } from '@hono/node-server';
import { Redis } from '@upstash/redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisRateLimiter } from '../../edge/rate-limit.ts';
import { upstashClient, upstashIndex } from '../../edge/upstash-index.ts';
import { cacheIndexContract } from '../../shared/contracts/cache-index.contract.ts';
import { MemoryKv } from '../../shared/memory/kv.ts';
import { runCommand } from './kv-commands.ts';
import { createUpstashEndpoint } from './upstash-endpoint.ts';

const TOKEN = 'upstash-test-token-123456';
let server: ServerType;
let url: string;
const kv = new MemoryKv();

beforeAll(async () => {
  const app = createUpstashEndpoint(TOKEN, (cmd) => runCommand(kv, cmd));
  await new Promise<void>((resolve) => {
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
      url = `http://127.0.0.1:${info.port}`;
      resolve();
    });
  });
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const client = (token = TOKEN) => new Redis({ url, token, retry: false, enableTelemetry: false });

describe('embedded Upstash endpoint, with the @upstash/redis client', () => {
  it('sets and gets strings and JSON, with expiry', async () => {
    const r = client();
    expect(await r.set('a', 'plain', { ex: 60 })).toBe('OK');
    expect(await r.get('a')).toBe('plain');
    expect(await r.ttl('a')).toBeGreaterThan(50);
    await r.set('obj', { n: 1, s: 'ü ✓' });
    expect(await r.get('obj')).toEqual({ n: 1, s: 'ü ✓' });
    expect(await r.get('missing')).toBeNull();
  });

  it('keeps numeric-looking strings and unicode through the base64 encoding', async () => {
    const r = new Redis({ url, token: TOKEN, retry: false, automaticDeserialization: false, enableTelemetry: false });
    await r.set('n', '00123');
    expect(await r.get('n')).toBe('00123');
    await r.set('u', 'größe ✓ 画像');
    expect(await r.get('u')).toBe('größe ✓ 画像');
  });

  it('honours NX and counts with INCR', async () => {
    const r = client();
    expect(await r.set('once', '1', { nx: true })).toBe('OK');
    expect(await r.set('once', '2', { nx: true })).toBeNull();
    expect(await r.incr('counter')).toBe(1);
    expect(await r.incrby('counter', 5)).toBe(6);
  });

  it('runs pipelines and transactions', async () => {
    const r = client();
    const p = r.pipeline();
    p.set('p1', 'x');
    p.get('p1');
    p.del('p1');
    p.exists('p1');
    expect(await p.exec()).toEqual(['OK', 'x', 1, 0]);
    const m = r.multi();
    m.set('m1', 'y');
    m.get('m1');
    expect(await m.exec()).toEqual(['OK', 'y']);
  });

  it('surfaces command errors and refuses a wrong token', async () => {
    await expect(client().incr('a')).rejects.toThrow(/not an integer/);
    await expect(client('wrong-token').get('a')).rejects.toThrow(/Unauthorized/);
  });
});

describe('the edge rate limiter on the embedded endpoint', () => {
  it('lets `requests` through in a window, then answers 429 with the time to wait, per identity', async () => {
    let now = 1_000_000_000;
    const limit = redisRateLimiter(upstashClient(url, TOKEN), { requests: 3, windowMs: 10_000 }, () => now);
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push((await limit('ip:a')).ok);
    expect(verdicts).toEqual([true, true, true, false, false]);
    expect(await limit('ip:a')).toMatchObject({ ok: false, retryAfterSeconds: 10 });
    expect((await limit('ip:b')).ok).toBe(true);
    // Half the next window on, half of the last window's six still counts: 3 + 1 > 3.
    now += 15_000;
    expect(await limit('ip:a')).toMatchObject({ ok: false, retryAfterSeconds: 5 });
    // Two windows on, the slate is clean.
    now += 20_000;
    expect((await limit('ip:a')).ok).toBe(true);
  });

  it('lets requests through when Redis does not answer', async () => {
    const limit = redisRateLimiter(upstashClient('http://127.0.0.1:9', TOKEN), { requests: 0, windowMs: 10_000 });
    expect((await limit('ip:a')).ok).toBe(true);
  });
});

cacheIndexContract('edge Upstash adapter → embedded endpoint', async () => ({
  index: upstashIndex(upstashClient(url, TOKEN)),
  pass: (ms) => new Promise((r) => setTimeout(r, ms)),
}));
