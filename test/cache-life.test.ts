/**
 * The life of a cached image, as a user lives it, on `npm start`'s shape and on S3 and Redis:
 * an input served by a local HTTP server is processed; the source changes; the result is purged
 * by its input; the next request makes a new object; the old object's URL keeps its old bytes
 * until the redirects that may lead to it have expired, then the workers remove it.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistributedStack, Stack } from '../scripts/stack.ts';
import { startTestDistributedStack } from './helpers/distributed.ts';
import { amqpAvailable, freshRedisDb, redisAvailable, s3Available, S3_ENDPOINT } from './helpers/services.ts';
import { counter, startTestStack } from './helpers/stack.ts';

/** The source's colour now: the server answers a 64×48 JPEG of it, with its ETag, and 304 to a request that has it. */
let colour = '#d02020';
let source: Server;
let sourceUrl = '';
/** What the source server answered: full bodies (200) and not-modified (304). */
const answered = { 200: 0, 304: 0 };

beforeAll(async () => {
  source = createServer(async (req, res) => {
    const etag = `"${colour.slice(1)}"`;
    if (req.headers['if-none-match'] === etag) {
      answered[304]++;
      res.writeHead(304, { etag }).end();
      return;
    }
    answered[200]++;
    const body = await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).jpeg().toBuffer();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length, etag }).end(body);
  });
  await new Promise<void>((r) => source.listen(0, '127.0.0.1', r));
  sourceUrl = `http://127.0.0.1:${(source.address() as { port: number }).port}/photo.jpg`;
});
afterAll(() => new Promise<void>((r) => source.close(() => r())));

/** The mean red and blue of an image's bytes. */
async function redBlue(bytes: ArrayBuffer): Promise<[number, number]> {
  const { channels } = await sharp(Buffer.from(bytes)).stats();
  return [Math.round(channels[0]!.mean), Math.round(channels[2]!.mean)];
}

const withServices = (await redisAvailable()) && (await s3Available());
const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;

describe.each([
  { mode: 'local disk and the embedded index (npm start)', settings: async () => ({}), runs: true },
  {
    mode: 'S3 and Redis',
    settings: async () => ({
      IMGFLO_REDIS_URL: await freshRedisDb(12),
      IMGFLO_S3_ENDPOINT: S3_ENDPOINT,
      IMGFLO_S3_BUCKET: 'imgflo-test',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      IMGFLO_S3_PREFIX: `life-${crypto.randomUUID().slice(0, 8)}`,
    }),
    runs: withServices,
  },
])('a cached image over its life, with $mode', ({ settings, runs }) => {
  let stack: Stack;
  beforeAll(async () => {
    if (!runs) return;
    colour = '#d02020';
    // Hits are not remembered in the edge isolate, to see the purge at once; redirects live 3 s.
    stack = await startTestStack({ IMGFLO_EDGE_MEMO_SECONDS: '0', IMGFLO_REDIRECT_MAX_AGE: '3', IMGFLO_ALLOW_PRIVATE_INPUTS: '1', ...(await settings()) });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const purge = (body: object) =>
    fetch(`${stack.backendUrl}/admin/purge`, { method: 'POST', headers: { authorization: `Bearer ${stack.env.IMGFLO_BRIDGE_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it.runIf(runs)('changes object after a changed source is purged; the old object answers its old bytes until the redirects expire', async () => {
    const url = `${stack.edgeUrl}/graph/passthrough.jpg?input=${encodeURIComponent(sourceUrl)}&width=32`;
    // 1. Processed: a redirect that may be kept 3 s, to an object kept a year.
    const first = await fetch(url, { redirect: 'manual' });
    expect(first.status).toBe(301);
    expect(first.headers.get('cache-control')).toBe('public, max-age=3');
    const old = first.headers.get('location')!;
    const oldImage = await fetch(old);
    expect(oldImage.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const oldBytes = await oldImage.arrayBuffer();
    const [red] = await redBlue(oldBytes);
    expect(red).toBeGreaterThan(150);

    // 2. The source changes: without revalidation (the default) the URL keeps its result.
    colour = '#2020d0';
    expect((await fetch(url, { redirect: 'manual' })).headers.get('location')).toBe(old);

    // 3. Purged by its input: the URL is no longer cached, but the old object still answers.
    const purged = await purge({ input: sourceUrl });
    const answer = (await purged.json()) as { purged: number; objects: string[] };
    expect(answer.purged).toBe(1);
    expect(old.endsWith(`/${answer.objects[0]}`)).toBe(true);
    const purgedAt = Date.now();
    expect((await fetch(url, { method: 'HEAD', redirect: 'manual' })).status).toBe(404);
    const kept = await fetch(old);
    expect(kept.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await kept.arrayBuffer()), Buffer.from(oldBytes))).toBe(0);

    // 4. The next request makes a new object of the new source; the old one keeps its bytes.
    const next = await fetch(url, { redirect: 'manual' });
    expect(next.status).toBe(301);
    const fresh = next.headers.get('location')!;
    expect(fresh).not.toBe(old);
    const [, blue] = await redBlue(await (await fetch(fresh)).arrayBuffer());
    expect(blue).toBeGreaterThan(150);
    const still = await fetch(old);
    expect(still.status).toBe(200);
    expect(Buffer.compare(Buffer.from(await still.arrayBuffer()), Buffer.from(oldBytes))).toBe(0);

    // Once every redirect to it has expired (3 s), the workers remove the old object, not the new.
    await expect.poll(async () => (await fetch(old)).status, { timeout: 15_000, interval: 250 }).toBe(404);
    expect(Date.now() - purgedAt).toBeGreaterThanOrEqual(3000);
    expect((await fetch(fresh)).status).toBe(200);
    expect((await fetch(url, { redirect: 'manual' })).headers.get('location')).toBe(fresh);
  });
});

describe('a source that changes, with IMGFLO_SOURCE_MAX_AGE=2', () => {
  let stack: Stack;
  beforeAll(async () => {
    colour = '#d02020';
    stack = await startTestStack({ IMGFLO_EDGE_MEMO_SECONDS: '0', IMGFLO_SOURCE_MAX_AGE: '2', IMGFLO_ALLOW_PRIVATE_INPUTS: '1' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const processed = () => counter(stack, 'imgflo_jobs_processed_total', { outcome: 'processed' });
  const revalidations = (outcome: string) => counter(stack, 'imgflo_revalidations_total', { outcome });
  const locationOf = async (url: string) => {
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(301);
    return res.headers.get('location')!;
  };

  it('revalidates with a 304 and keeps the result while the source is unchanged, and shows a change by itself within two requests', async () => {
    const url = `${stack.edgeUrl}/graph/passthrough.jpg?input=${encodeURIComponent(sourceUrl)}&width=24`;
    const first = await locationOf(url);
    const runs = await processed();
    const fetched = { ...answered };

    // Fresh: answered without asking the source.
    expect(await locationOf(url)).toBe(first);
    expect(answered).toEqual(fetched);

    // Older than 2 s, unchanged: answered at once; the source answers 304; nothing is processed.
    await new Promise((r) => setTimeout(r, 2100));
    expect(await locationOf(url)).toBe(first);
    await expect.poll(() => revalidations('unchanged'), { timeout: 10_000, interval: 100 }).toBe(1);
    expect(answered).toEqual({ 200: fetched[200], 304: fetched[304] + 1 });
    expect(await processed()).toBe(runs);
    // Fresh again for 2 s: no second check.
    expect(await locationOf(url)).toBe(first);
    expect(answered[304]).toBe(fetched[304] + 1);

    // The source changes: after 2 s the first request still gets the old result (stale while
    // revalidating, never an error) and the second one the new.
    colour = '#2020d0';
    await new Promise((r) => setTimeout(r, 2100));
    expect(await locationOf(url)).toBe(first);
    await expect.poll(() => revalidations('changed'), { timeout: 10_000, interval: 100 }).toBe(1);
    await expect.poll(processed, { timeout: 10_000, interval: 100 }).toBe(runs + 1);
    const second = await locationOf(url);
    expect(second).not.toBe(first);
    const { channels } = await sharp(Buffer.from(await (await fetch(second)).arrayBuffer())).stats();
    expect(channels[2]!.mean).toBeGreaterThan(150);
    // The old object still answers its old bytes (a redirect to it may still be held).
    expect((await fetch(first)).status).toBe(200);
  });

  it('revalidates a list at once with imgflo prewarm --revalidate', async () => {
    const url = `${stack.edgeUrl}/graph/passthrough.jpg?input=${encodeURIComponent(sourceUrl)}&width=20`;
    const first = await locationOf(url);
    colour = '#20c020';
    const list = join(mkdtempSync(join(tmpdir(), 'imgflo-list-')), 'urls.txt');
    writeFileSync(list, `${url}\n`);
    const { stdout } = await run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'prewarm', '--revalidate', list], { env: { PATH: process.env.PATH } });
    expect(stdout).toMatch(/1 URLs in [\d.]+ s: 1 ready, 0 failed/);
    await expect.poll(() => locationOf(url), { timeout: 10_000, interval: 100 }).not.toBe(first);
    const { channels } = await sharp(Buffer.from(await (await fetch(await locationOf(url))).arrayBuffer())).stats();
    expect(channels[1]!.mean).toBeGreaterThan(150);
  });
});

describe.runIf(withServices && (await amqpAvailable()))('the life of a cached image on the production topology (RabbitMQ, Redis, S3)', () => {
  let stack: DistributedStack & { prefix: string };
  beforeAll(async () => {
    colour = '#d02020';
    stack = await startTestDistributedStack({
      redisUrl: await freshRedisDb(7),
      vhost: 'imgflo-test-life',
      bridges: 1,
      workers: 2,
      env: { IMGFLO_EDGE_MEMO_SECONDS: '0', IMGFLO_SOURCE_MAX_AGE: '2', IMGFLO_REDIRECT_MAX_AGE: '3', IMGFLO_ALLOW_PRIVATE_INPUTS: '1' },
      // A second edge in front of the same bridge answers hits with the bytes.
      extraEdges: [{ IMGFLO_DELIVERY: 'proxy' }],
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('revalidates a changed source by itself over the queues, answers it with the bytes, purges it, and removes the old objects after the redirects expire', async () => {
    const path = `/graph/passthrough.jpg?input=${encodeURIComponent(sourceUrl)}&width=28`;
    const [edge, proxyEdge] = [stack.edges[0]!.url, stack.edges[1]!.url];
    const locationOf = async () => (await fetch(`${edge}${path}`, { redirect: 'manual' })).headers.get('location')!;
    const first = await locationOf();
    const bytes = await fetch(`${proxyEdge}${path}`);
    expect([bytes.status, bytes.headers.get('etag')]).toEqual([200, `"${first.split('/').pop()!.split('.')[0]}"`]);

    // The source changes: after 2 s a request starts the revalidation; a later one gets the new result.
    colour = '#2020d0';
    await new Promise((r) => setTimeout(r, 2100));
    expect(await locationOf()).toBe(first);
    await expect.poll(locationOf, { timeout: 15_000, interval: 200 }).not.toBe(first);
    const second = await locationOf();
    const { channels } = await sharp(Buffer.from(await (await fetch(`${proxyEdge}${path}`)).arrayBuffer())).stats();
    expect(channels[2]!.mean).toBeGreaterThan(150);
    expect((await fetch(first)).status).toBe(200);

    // Purged by its input through a worker: the next request makes the object again (its bytes
    // were retired, so under another key); the retired ones go once the redirects have expired.
    const purged = await fetch(`${stack.workers[0]!.url}/admin/purge`, { method: 'POST', headers: { authorization: `Bearer ${stack.env.IMGFLO_BRIDGE_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ input: sourceUrl }) });
    expect(await purged.json()).toMatchObject({ purged: expect.any(Number) });
    const third = await locationOf();
    expect([third === first, third === second]).toEqual([false, false]);
    for (const old of [first, second]) await expect.poll(async () => (await fetch(old)).status, { timeout: 20_000, interval: 250 }).toBe(404);
    expect((await fetch(third)).status).toBe(200);
  });
});
