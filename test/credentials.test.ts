/**
 * Credentials over real Redis: the `imgflo apps` CLI writes the registry, the edge reads it
 * through the Upstash protocol; rotation, retirement, disabling, quotas and rate limits.
 */
import { serve, type ServerType } from '@hono/node-server';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFinder } from '../edge/apps.ts';
import { upstashRateLimiter } from '../edge/rate-limit.ts';
import { upstashClient } from '../edge/upstash-index.ts';
import { tokenV2 } from '../shared/tokens.ts';
import { connectRedis, createRedis, RedisAppRegistry, redisCommandRunner } from '../worker/adapters/redis.ts';
import { createUpstashEndpoint } from '../worker/embedded/upstash-endpoint.ts';
import { inProcessSystem } from './helpers/in-process.ts';
import { redisAvailable, redisDbUrl } from './helpers/services.ts';

const run = promisify(execFile);
const ready = await redisAvailable();
const DB_URL = redisDbUrl(12);
const ROOT = new URL('../', import.meta.url).pathname;

async function cli(...args: string[]) {
  const { stdout } = await run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'apps', ...args, '--json'], { env: { ...process.env, IMGFLO_REDIS_URL: DB_URL } });
  return JSON.parse(stdout);
}

describe.skipIf(!ready)('credentials from the app registry', () => {
  const redis = createRedis(DB_URL);
  const TOKEN = 'credentials-test-token-123';
  let server: ServerType;
  let upstashUrl = '';
  let sys: Awaited<ReturnType<typeof inProcessSystem>>;

  beforeAll(async () => {
    await connectRedis(redis);
    await redis.flushdb();
    const app = createUpstashEndpoint(TOKEN, redisCommandRunner(redis));
    await new Promise<void>((resolve) => {
      server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, (info) => {
        upstashUrl = `http://127.0.0.1:${info.port}`;
        resolve();
      });
    });
    sys = await inProcessSystem({
      bindings: { IMGFLO_APP_REGISTRY: '1' },
      findApp: appFinder({ envApps: new Map(), redis: upstashClient(upstashUrl, TOKEN), cacheSeconds: 0, now: Date.now }),
      apps: new RedisAppRegistry(redis),
    });
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    redis.disconnect();
  });

  const signed = async (key: string, secret: string, search: string) =>
    sys.request(`/graph/${key}/${await tokenV2(secret, 'crop.png', search)}/crop.png${search}`);
  let n = 0;
  const fresh = () => `?input=files%2Fgridbear.jpg&x=${++n}`;

  it('makes apps with keys and secrets from a CSPRNG, and never lists secrets', async () => {
    const app = await cli('add', '--label', 'Shop', '--owner', 'ops@example.com');
    expect(app.key).toMatch(/^[0-9a-f]{32}$/);
    expect(app.secret).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const listed = JSON.stringify(await cli('list'));
    expect(listed).toContain(app.key);
    expect(listed).not.toContain(app.secret);
    expect(await cli('show', app.key)).toMatchObject({ label: 'Shop', owner: 'ops@example.com', enabled: true, secrets: 1 });
    expect((await signed(app.key, app.secret, fresh())).status).toBe(301);
  });

  it('keeps URLs of a rotated secret valid until it is retired', async () => {
    const { key, secret: first } = await cli('add');
    const old = fresh();
    expect((await signed(key, first, old)).status).toBe(301);
    const { secret: second } = await cli('rotate', key);
    expect(second).not.toBe(first);
    expect((await signed(key, first, old)).status).toBe(301);
    expect((await signed(key, first, fresh())).status).toBe(301);
    expect((await signed(key, second, fresh())).status).toBe(301);
    await cli('retire-secret', key);
    expect((await signed(key, first, old)).status).toBe(403);
    expect((await signed(key, second, old)).status).toBe(301);
  });

  it('refuses everything of a disabled app, cached results included, until it is enabled', async () => {
    const { key, secret } = await cli('add');
    const q = fresh();
    expect((await signed(key, secret, q)).status).toBe(301);
    await cli('disable', key);
    const refused = await signed(key, secret, q);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({ error: 'Forbidden', code: 403, reason: 'forbidden' });
    await cli('enable', key);
    expect((await signed(key, secret, q)).status).toBe(301);
  });

  it('gives an app with quota 0 cached results only (403 on a miss)', async () => {
    const { key, secret } = await cli('add', '--quota', '0');
    const cached = fresh();
    const other = await cli('add');
    expect((await signed(other.key, other.secret, cached)).status).toBe(301);
    expect((await signed(key, secret, cached)).status).toBe(301);
    expect((await signed(key, secret, fresh())).status).toBe(403);
  });

  it('answers 429 once the monthly quota is used, while cached results still answer', async () => {
    const { key, secret } = await cli('add', '--quota', '2');
    const first = fresh();
    expect((await signed(key, secret, first)).status).toBe(301);
    expect((await signed(key, secret, fresh())).status).toBe(301);
    const over = await signed(key, secret, fresh());
    expect(over.status).toBe(429);
    expect(await over.json()).toMatchObject({ code: 429, reason: 'quota-exceeded' });
    expect((await signed(key, secret, first)).status).toBe(301);
    await cli('set-quota', key, '--quota', 'unlimited');
    expect((await signed(key, secret, fresh())).status).toBe(301);
  });

  it('limits the request rate per app with 429 and Retry-After', async () => {
    const limited = await inProcessSystem({
      bindings: { IMGFLO_APP_REGISTRY: '1' },
      findApp: appFinder({ envApps: new Map(), redis: upstashClient(upstashUrl, TOKEN), cacheSeconds: 0, now: Date.now }),
      rateLimit: upstashRateLimiter(upstashClient(upstashUrl, TOKEN), { requests: 3, window: '10 s' }),
    });
    const { key, secret } = await cli('add');
    const q = fresh();
    const url = `/graph/${key}/${await tokenV2(secret, 'crop.png', q)}/crop.png${q}`;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.request(url)).status);
    expect(statuses).toEqual([301, 301, 301, 429]);
    const res = await limited.request(url);
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ code: 429, reason: 'rate-limited' });
    const other = await cli('add');
    expect((await limited.request(`/graph/${other.key}/${await tokenV2(other.secret, 'crop.png', q)}/crop.png${q}`)).status).toBe(301);
  });

  it('explains itself and refuses bad input', async () => {
    const help = await run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'apps', '--help']);
    expect(help.stdout).toMatch(/rotate \[options\] <key>/);
    await expect(cli('show', 'nope')).rejects.toMatchObject({ code: 1 });
    await expect(cli('set-quota', 'nope', '--quota', 'lots')).rejects.toMatchObject({ code: 1 });
  });
});
