/**
 * The production topology over real services: two edges under `wrangler dev`, two bridges, two
 * image workers and a video worker (IMGFLO_WORKER_QUEUES), an Upstash-compatible proxy, Redis,
 * RabbitMQ and s3rver, each a process of its own.
 */
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistributedStack } from '../scripts/stack.ts';
import { S3_BUCKET, startTestDistributedStack, sumCounter } from './helpers/distributed.ts';
import { amqpAvailable, amqpVhostUrl, freshRedisDb, redisAvailable, s3Available, S3_ENDPOINT } from './helpers/services.ts';

const ready = (await redisAvailable()) && (await amqpAvailable()) && (await s3Available());
const get = (url: string, init?: RequestInit) => fetch(url, { redirect: 'manual', ...init });

describe.skipIf(!ready)('the distributed topology', () => {
  let stack: DistributedStack & { prefix: string };
  let DB_URL = '';
  beforeAll(async () => {
    DB_URL = await freshRedisDb(14);
    stack = await startTestDistributedStack({
      redisUrl: DB_URL,
      vhost: 'imgflo-test-e2e',
      workers: 3,
      workerEnv: (i) => ({ IMGFLO_WORKER_QUEUES: i === 3 ? 'video' : 'urgent,background' }),
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('processes a GET into the bucket, indexes it in Redis, over durable RabbitMQ queues', async () => {
    const res = await get(`${stack.edges[0]!.url}/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=300`);
    expect(res.status).toBe(301);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${S3_ENDPOINT}/${S3_BUCKET}/${stack.prefix}/`)).toBe(true);
    const image = await fetch(location);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await sharp(Buffer.from(await image.arrayBuffer())).metadata()).width).toBe(300);

    const objectKey = location.slice(`${S3_ENDPOINT}/${S3_BUCKET}/`.length);
    const key = objectKey.split('/').at(-2)!;
    const redis = new Redis(DB_URL);
    expect(await redis.get(`imgflo:index:${key}`)).toBe(objectKey);
    expect(await redis.ttl(`imgflo:index:${key}`)).toBeGreaterThan(0);
    redis.disconnect();

    const conn = await amqp.connect(amqpVhostUrl('imgflo-test-e2e'));
    const ch = await conn.createChannel();
    for (const q of ['imgflo.jobs.urgent', 'imgflo.jobs.background', 'imgflo.jobs.video', 'imgflo.jobs.dead']) {
      expect((await ch.checkQueue(q)).queue).toBe(q);
    }
    await conn.close();

    const again = await get(`${stack.edges[1]!.url}/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=300`);
    expect([again.status, again.headers.get('location')]).toEqual([301, location]);
  });

  it('answers /info from the bucket as JSON over the real services, and the other edge from the cache', async () => {
    const url = '/info?input=files%2Fmountains.png';
    const first = await get(`${stack.edges[0]!.url}${url}`);
    expect([first.status, first.headers.get('content-type')]).toEqual([200, 'application/json']);
    const info = await first.json();
    expect(info).toMatchObject({ width: 1440, height: 1000, format: 'png', blurhash: expect.any(String) });
    const processed = await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' });
    const again = await get(`${stack.edges[1]!.url}${url}`);
    expect([again.status, await again.json()]).toEqual([200, info]);
    expect(await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' })).toBe(processed);
  });

  it('composites watermark\'s overlay, read by a worker under the rules of input, into the bucket', async () => {
    const res = await get(`${stack.edges[0]!.url}/graph/watermark.png?input=files%2Fmountains.png&overlay=files%2Fhappy-kitten.svg&gravity=southeast&opacity=0.6&scale=0.2`);
    expect(res.status).toBe(301);
    const image = await fetch(res.headers.get('location')!);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(await sharp(Buffer.from(await image.arrayBuffer())).metadata()).toMatchObject({ width: 1440, height: 1000 });
  });

  it('re-indexes a stored result whose index entry expired, without processing it again', async () => {
    const path = '/graph/crop.jpg?input=files%2Fgridbear.jpg&x=11&y=12';
    const first = await get(`${stack.edges[0]!.url}${path}`);
    const key = first.headers.get('location')!.split('/').at(-2)!;
    const processed = await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' });
    const redis = new Redis(DB_URL);
    await redis.del(`imgflo:index:${key}`);
    const again = await get(`${stack.edges[1]!.url}${path}`);
    expect([again.status, again.headers.get('location')]).toEqual([301, first.headers.get('location')]);
    expect(await redis.get(`imgflo:index:${key}`)).not.toBeNull();
    redis.disconnect();
    expect(await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' })).toBe(processed);
    expect(await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'cached' })).toBeGreaterThanOrEqual(1);
  });

  it('runs 50 identical concurrent GETs over two bridges as exactly one processing run', async () => {
    const before = await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' });
    const path = '/graph/gaussianblur.png?input=files%2Fmountains.png&std-dev-x=3&std-dev-y=3';
    const answers = await Promise.all(Array.from({ length: 50 }, (_, i) => get(`${stack.edges[i % 2]!.url}${path}`)));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(301));
    expect(new Set(answers.map((a) => a.headers.get('location'))).size).toBe(1);
    expect((await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' })) - before).toBe(1);
    expect(await sumCounter(stack.bridges, 'imgflo_jobs_published_total')).toBeGreaterThanOrEqual(1);
  });

  it('answers a pre-warm POST with 202, and the object appears in the bucket', async () => {
    const res = await get(`${stack.edges[1]!.url}/graph/crop.webp?input=files%2Fgridbear.jpg&cropwidth=64&cropheight=48`, { method: 'POST' });
    expect(res.status).toBe(202);
    // Where to ask: the URL itself, which HEAD answers 404 until the result is made.
    const location = res.headers.get('location')!;
    expect(location).toBe(`${stack.edges[1]!.url}/graph/crop.webp?input=files%2Fgridbear.jpg&cropwidth=64&cropheight=48`);
    await expect.poll(async () => (await get(location, { method: 'HEAD' })).status, { timeout: 20_000, interval: 100 }).toBe(301);
    const object = (await get(location, { method: 'HEAD' })).headers.get('location')!;
    expect(object.startsWith(`${S3_ENDPOINT}/${S3_BUCKET}/${stack.prefix}/`)).toBe(true);
    expect((await fetch(object)).headers.get('content-type')).toBe('image/webp');
  });

  it('answers an urgent GET promptly behind a backlog of background jobs', async () => {
    const backlog = Array.from({ length: 16 }, (_, i) => `/graph/gaussianblur.png?input=files%2Fmountains.png&std-dev-x=${20 + i}&std-dev-y=9`);
    const queued = await Promise.all(backlog.map((p, i) => get(`${stack.edges[i % 2]!.url}${p}`, { method: 'POST' })));
    expect(queued.map((r) => r.status)).toEqual(Array(16).fill(202));
    const start = Date.now();
    const urgent = await get(`${stack.edges[0]!.url}/graph/crop.png?input=files%2Fgridbear.jpg&x=3&y=4`);
    const took = Date.now() - start;
    expect(urgent.status).toBe(301);
    console.log(`[distributed] urgent GET behind a 16-job background backlog took ${took} ms`);
    // The backlog alone needs well over ten seconds of both workers' background slots.
    expect(took).toBeLessThan(6000);
  });

  it('runs video jobs on the video worker alone, GETs and pre-warms, and images never there', async () => {
    const processed = (workers: typeof stack.workers, graph: string) => sumCounter(workers, 'imgflo_jobs_processed_total', { graph, outcome: 'processed' });
    const [imageWorkers, videoWorker] = [stack.workers.slice(0, 2), stack.workers.slice(2)];
    const counts = async () => [await processed(videoWorker, 'customgrey'), await processed(videoWorker, 'passthrough'), await processed(imageWorkers, 'customgrey'), await processed(imageWorkers, 'passthrough')];
    const before = await counts();
    const res = await get(`${stack.edges[0]!.url}/graph/customgrey.mp4?input=files%2Fvideo-3dpmic.mp4`);
    expect(res.status).toBe(301);
    const stored = await fetch(res.headers.get('location')!);
    expect(stored.headers.get('content-type')).toBe('video/mp4');
    expect(Buffer.from(await stored.arrayBuffer()).subarray(4, 8).toString('latin1')).toBe('ftyp');
    const prewarm = await get(`${stack.edges[1]!.url}/graph/passthrough.mp4?input=files%2Ftime.gif&width=100`, { method: 'POST' });
    expect(prewarm.status).toBe(202);
    await expect.poll(async () => (await get(prewarm.headers.get('location')!, { method: 'HEAD' })).status, { timeout: 60_000, interval: 200 }).toBe(301);
    // A poster is an image: an image worker makes it.
    expect((await get(`${stack.edges[0]!.url}/graph/passthrough.jpg?input=files%2Fvideo-3dpmic.mp4&t=0.5&width=200`)).status).toBe(301);
    // The video worker made the two videos and nothing else; the image workers the poster alone.
    expect((await counts()).map((n, i) => n - before[i]!)).toEqual([1, 1, 0, 1]);

    // Five GETs at once over both edges for a new video: one processing run, one object.
    const blurred = '/graph/gaussianblur.mp4?input=files%2Fvideo-3dpmic.mp4&std-dev-x=2&std-dev-y=2';
    const blurs = await processed(videoWorker, 'gaussianblur');
    const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => get(`${stack.edges[i % 2]!.url}${blurred}`)));
    expect(answers.map((r) => r.status)).toEqual(Array(5).fill(301));
    expect(new Set(answers.map((r) => r.headers.get('location'))).size).toBe(1);
    expect((await processed(videoWorker, 'gaussianblur')) - blurs).toBe(1);

    // A purge of the input reaches its videos and its poster (lineage): their index entries go.
    const purged = await fetch(`${stack.workers[2]!.url}/admin/purge`, { method: 'POST', headers: { authorization: `Bearer ${stack.env.IMGFLO_BRIDGE_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ input: 'files/video-3dpmic.mp4' }) });
    expect(purged.status).toBe(200);
    const { objects } = (await purged.json()) as { objects: string[] };
    expect(objects.filter((o) => o.endsWith('.mp4')).length).toBeGreaterThanOrEqual(2);
    const redis = new Redis(DB_URL);
    const key = answers[0]!.headers.get('location')!.split('/').at(-2)!;
    expect(await redis.get(`imgflo:index:${key}`)).toBeNull();
    redis.disconnect();
  }, 120_000);
});
