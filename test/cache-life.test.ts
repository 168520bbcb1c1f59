/**
 * The life of a cached image, as a user lives it, on `npm start`'s shape and on S3 and Redis:
 * an input served by a local HTTP server is processed; the source changes; the result is purged
 * by its input; the next request makes a new object; the old object's URL keeps its old bytes
 * until the redirects that may lead to it have expired, then the workers remove it.
 */
import { createServer, type Server } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { freshRedisDb, redisAvailable, s3Available, S3_ENDPOINT } from './helpers/services.ts';
import { startTestStack } from './helpers/stack.ts';

/** The source's colour now: the server answers a 64×48 JPEG of it. */
let colour = '#d02020';
let source: Server;
let sourceUrl = '';

beforeAll(async () => {
  source = createServer(async (_req, res) => {
    const body = await sharp({ create: { width: 64, height: 48, channels: 3, background: colour } }).jpeg().toBuffer();
    res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': body.length }).end(body);
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
