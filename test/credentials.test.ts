/**
 * Credentials over real Redis: the `imgflo apps` CLI writes the registry, the edge reads it
 * through the Upstash protocol; rotation, retirement, disabling, quotas and rate limits.
 */
import { serve, type ServerType } from '@hono/node-server';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appFinder } from '../edge/apps.ts';
import { redisRateLimiter } from '../edge/rate-limit.ts';
import { upstashClient } from '../edge/upstash-index.ts';
import { tokenV2 } from '../shared/tokens.ts';
import { connectRedis, createRedis, RedisAppRegistry, redisCommandRunner } from '../worker/adapters/redis.ts';
import { createUpstashEndpoint } from '../worker/embedded/upstash-endpoint.ts';
import { inProcessSystem } from './helpers/in-process.ts';
import { redisAvailable, redisDbUrl } from './helpers/services.ts';

const run = promisify(execFile);
const ready = await redisAvailable();
const DB_URL = redisDbUrl(6);
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
      rateLimit: redisRateLimiter(upstashClient(upstashUrl, TOKEN), { requests: 3, windowMs: 10_000 }),
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

  it('serves an app\'s preset from the registry, and a changed preset gives a new result on the next request', async () => {
    const { key, secret } = await cli('add');
    // Apps kept in the isolate for 30 s, as a deployed edge keeps them by default.
    const edge = await inProcessSystem({
      bindings: { IMGFLO_APP_REGISTRY: '1' },
      findApp: appFinder({ envApps: new Map(), redis: upstashClient(upstashUrl, TOKEN), cacheSeconds: 30, now: Date.now }),
      apps: new RedisAppRegistry(redis),
    });
    const url = async (search: string) => edge.request(`/graph/${key}/${await tokenV2(secret, 'passthrough.png', search)}/passthrough.png${search}`);
    const widthAt = async (res: Response) => (await sharp((await edge.store.get(res.headers.get('location')!.replace('https://img.example.com/', '')))!.body).metadata()).width;
    expect(await cli('set-preset', key, '--graph', 'passthrough', '--name', 'banner', '--params', 'width=120&quality=70')).toMatchObject({ presets: { passthrough: { banner: { params: { width: '120', quality: '70' } } } } });
    const search = '?input=files%2Fgridbear.jpg&preset=banner';
    const first = await url(search);
    expect(first.status).toBe(301);
    expect(await widthAt(first)).toBe(120);
    // The service's own preset of another name still answers; the app's wins over a file's of the same name.
    expect(await widthAt(await url('?input=files%2Fgridbear.jpg&preset=thumbnail'))).toBe(320);
    await cli('set-preset', key, '--graph', 'passthrough', '--name', 'thumbnail', '--params', 'width=90');
    expect(await widthAt(await url('?input=files%2Fgridbear.jpg&preset=thumbnail'))).toBe(90);

    await cli('set-preset', key, '--graph', 'passthrough', '--name', 'banner', '--params', 'width=60');
    // An edge that keeps apps for 30 s still takes a changed preset from the next request.
    const second = await url(search);
    expect(second.status).toBe(301);
    expect(second.headers.get('location')).not.toBe(first.headers.get('location'));
    expect(await widthAt(second)).toBe(60);

    await cli('remove-preset', key, '--graph', 'passthrough', '--name', 'banner');
    const gone = await url(search);
    expect(gone.status).toBe(422);
    expect(await gone.json()).toMatchObject({ parameter: 'preset' });
  });

  it('answers with the app\'s fallback from the registry when an input is missing', async () => {
    const { key, secret } = await cli('add', '--fallback', 'files/gridbear.jpg');
    const search = '?input=files%2F__missing__.jpg&width=20';
    const res = await sys.request(`/graph/${key}/${await tokenV2(secret, 'passthrough.png', search)}/passthrough.png${search}`);
    expect([res.status, res.headers.get('x-imgflo-error')]).toEqual([302, 'input-fetch-failed']);
    await cli('set-fallback', key, '--fallback', 'none');
    const none = await sys.request(`/graph/${key}/${await tokenV2(secret, 'passthrough.png', search)}/passthrough.png${search}`);
    expect(none.status).toBe(504);
  });

  it('explains itself and refuses bad input', async () => {
    const { key } = await cli('add');
    for (const bad of [
      ['--graph', 'nosuch', '--name', 'x', '--params', 'width=1'],
      ['--graph', 'passthrough', '--name', 'x', '--params', 'widht=1'],
      ['--graph', 'passthrough', '--name', 'x', '--params', 'input=files/a.jpg'],
      ['--graph', 'passthrough', '--name', 'bad name', '--params', 'width=1'],
      ['--graph', 'retro', '--name', 'x', '--params', 'preset=batcave'],
      ['--graph', 'watermark', '--name', 'x', '--params', 'overlay=ftp://x.example/a.png'],
    ]) {
      await expect(cli('set-preset', key, ...bad)).rejects.toMatchObject({ code: 1 });
    }
    // A watermark preset may leave the overlay to the URL, or name one.
    expect(await cli('set-preset', key, '--graph', 'watermark', '--name', 'corner', '--params', 'gravity=southwest&opacity=0.5')).toMatchObject({ presets: { watermark: { corner: { params: { gravity: 'southwest' } } } } });
    expect(await cli('set-preset', key, '--graph', 'watermark', '--name', 'logo', '--params', 'overlay=files/happy-kitten.svg')).toMatchObject({ presets: { watermark: { logo: { params: { overlay: 'files/happy-kitten.svg' } } } } });
    await expect(cli('set-fallback', key, '--fallback', 'ftp://x.example/a.jpg')).rejects.toMatchObject({ code: 1 });
    const help = await run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'apps', '--help']);
    expect(help.stdout).toMatch(/rotate \[options\] <key>/);
    await expect(cli('show', 'nope')).rejects.toMatchObject({ code: 1 });
    await expect(cli('set-quota', 'nope', '--quota', 'lots')).rejects.toMatchObject({ code: 1 });
  });
});
