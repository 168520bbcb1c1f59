/**
 * The whole request path over real processes: the edge under `wrangler dev` (workerd), the
 * backend in the embedded mode, talking HTTP and the Upstash protocol to each other.
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { tokenV1, tokenV2 } from '../shared/tokens.ts';
import { decode as decodeBlurhash } from 'blurhash';
import * as v from 'valibot';
import { ImageInfoSchema } from '../shared/info.ts';
import { ORIGINAL_GRAPHS } from './helpers/catalogue.ts';
import { boxWhere, deltaE, meanLab } from './helpers/compare.ts';

import { counter, startTestStack } from './helpers/stack.ts';

const get = (url: string, init?: RequestInit) => fetch(url, { redirect: 'manual', ...init });

const KEY = 'ooShei0queigeeke';
const SEARCH = '?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg';
const otherSecretV2 = await tokenV2('another-secret', 'crop', SEARCH);

describe('end to end, unsigned', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it('processes a miss, redirects to the stored JPEG, then answers from the index without a job', async () => {
    const url = `${stack.edgeUrl}/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=300`;
    const first = await get(url);
    expect(first.status).toBe(301);
    const location = first.headers.get('location')!;
    expect(location.startsWith(`${stack.backendUrl}/cache/results/`)).toBe(true);

    const image = await fetch(location);
    expect(image.status).toBe(200);
    expect(image.headers.get('content-type')).toBe('image/jpeg');
    expect(image.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 300, 400]);

    const published = await counter(stack, 'imgflo_jobs_published_total');
    const again = await get(url);
    expect(again.status).toBe(301);
    expect(again.headers.get('location')).toBe(location);
    expect(await counter(stack, 'imgflo_jobs_published_total')).toBe(published);
  });

  it('answers POST of a new URL with 202, and the result appears at its Location', async () => {
    const processed = await counter(stack, 'imgflo_jobs_processed_total', { outcome: 'processed' });
    const url = `${stack.edgeUrl}/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=40&cropheight=30&x=5`;
    const res = await get(url, { method: 'POST' });
    expect(res.status).toBe(202);
    // Where to ask: the URL itself, which HEAD answers 404 (without processing) until the result is made.
    const location = res.headers.get('location')!;
    expect(location).toBe(url);
    await expect.poll(async () => (await get(location, { method: 'HEAD' })).status, { timeout: 10_000, interval: 100 }).toBe(301);
    await expect.poll(() => counter(stack, 'imgflo_jobs_processed_total', { outcome: 'processed' })).toBe(processed + 1);
    const image = await fetch((await get(location, { method: 'HEAD' })).headers.get('location')!);
    expect(image.headers.get('content-type')).toBe('image/png');
    const meta = await sharp(Buffer.from(await image.arrayBuffer())).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['png', 40, 30]);
  });

  it('coalesces ten identical concurrent misses into one processing run', async () => {
    const before = await counter(stack, 'imgflo_jobs_processed_total', { outcome: 'processed' });
    const url = `${stack.edgeUrl}/graph/gaussianblur.webp?input=files%2Fgrid-toastybob.jpg&std-dev-x=4&std-dev-y=2`;
    const answers = await Promise.all(Array.from({ length: 10 }, () => get(url)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(301));
    expect(new Set(answers.map((a) => a.headers.get('location'))).size).toBe(1);
    expect((await counter(stack, 'imgflo_jobs_processed_total', { outcome: 'processed' })) - before).toBe(1);
  });

  it.each([
    ['an unknown parameter', '/graph/crop?input=files%2Fgridbear.jpg&skeke=299', 449, 'unknown-parameter'],
    ['an unknown graph', '/graph/nonexistent?input=files%2Fgridbear.jpg', 404, 'unknown-graph'],
    ['width=30000&height=1000', '/graph/passthrough?input=files%2Fgridbear.jpg&width=30000&height=1000', 422, 'size-limit'],
    ['height=5100 alone', '/graph/passthrough?input=files%2Fgridbear.jpg&height=5100', 422, 'size-limit'],
    ['a HEAD miss', '/graph/crop.jpg?input=files%2Fgridbear.jpg&x=77', 404, 'not-cached'],
  ])('answers %s with SPEC JSON', async (_what, path, status, reason) => {
    const res = await get(`${stack.edgeUrl}${path}`, { method: path.includes('x=77') ? 'HEAD' : 'GET' });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (res.status !== 404 || reason !== 'not-cached') {
      const body = await res.json();
      expect(body).toMatchObject({ code: status, reason });
      if (reason === 'unknown-parameter') expect(body.unknown).toEqual(['skeke']);
    }
  });

  it('answers 504 naming the input when the input is not there', async () => {
    const input = 'files/__nonexisting_image___.jpg';
    const res = await get(`${stack.edgeUrl}/graph/passthrough?input=${encodeURIComponent(input)}`);
    expect(res.status).toBe(504);
    const body = await res.json();
    expect(body).toMatchObject({ code: 504, reason: 'input-fetch-failed', input });
    expect(body.error).toMatch(/no example file is named __nonexisting_image___\.jpg/);
  });

  it('answers a missing input with fallback= by a 302 to the same processing of the fallback, naming the error', async () => {
    const url = `${stack.edgeUrl}/graph/passthrough.png?input=files%2F__nonexisting_image___.jpg&width=50&fallback=files%2Fgridbear.jpg`;
    const res = await get(url, { headers: { Origin: 'https://site.example' } });
    expect(res.status).toBe(302);
    expect(res.headers.get('x-imgflo-error')).toBe('input-fetch-failed');
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const direct = await get(`${stack.edgeUrl}/graph/passthrough.png?input=files%2Fgridbear.jpg&width=50`);
    expect([direct.status, direct.headers.get('location')]).toEqual([301, res.headers.get('location')]);
    const image = await sharp(Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer())).metadata();
    expect([image.format, image.width]).toEqual(['png', 50]);
  });

  it('processes a preset of presets/ by name', async () => {
    const res = await get(`${stack.edgeUrl}/graph/gradientmap.jpg?input=files%2Fgridbear.jpg&preset=sepia&width=80`);
    expect(res.status).toBe(301);
    const { data, info } = await sharp(Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer())).raw().toBuffer({ resolveWithObject: true });
    expect(info.width).toBe(80);
    // Sepia: red above blue on average.
    let red = 0;
    let blue = 0;
    for (let i = 0; i < data.length; i += info.channels) {
      red += data[i]!;
      blue += data[i + 2]!;
    }
    expect(red).toBeGreaterThan(blue * 1.1);
  });

  it('gives a 600-px-wide result for width=300&dpr=2', async () => {
    const res = await get(`${stack.edgeUrl}/graph/passthrough.webp?input=files%2Fgridbear.jpg&width=300&dpr=2`);
    expect(res.status).toBe(301);
    const image = await sharp(Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer())).metadata();
    expect([image.format, image.width]).toEqual(['webp', 600]);
  });

  it('answers /info with the input\'s description; its BlurHash has the input\'s colour; the second request is a hit', async () => {
    const url = `${stack.edgeUrl}/info?input=files%2Fgridbear.jpg`;
    const first = await get(url, { headers: { Origin: 'https://site.example' } });
    expect([first.status, first.headers.get('content-type'), first.headers.get('access-control-allow-origin')]).toEqual([200, 'application/json', '*']);
    const info = v.parse(ImageInfoSchema, await first.json());
    expect(info).toMatchObject({ width: 150, height: 150, format: 'jpg', frames: 1, hasAlpha: false, orientation: 1 });
    const decoded = await sharp(Buffer.from(decodeBlurhash(info.blurhash, 32, 32)), { raw: { width: 32, height: 32, channels: 4 } }).png().toBuffer();
    expect(deltaE(await meanLab(decoded), await meanLab(new URL('../examples/gridbear.jpg', import.meta.url).pathname))).toBeLessThan(10);
    expect(info.lqip.length).toBeLessThanOrEqual(1024);

    const published = await counter(stack, 'imgflo_jobs_published_total');
    const again = await get(url);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(info);
    expect(await counter(stack, 'imgflo_jobs_published_total')).toBe(published);
    expect((await get(url, { method: 'HEAD' })).status).toBe(200);
  });

  it('composites watermark\'s overlay in the lower-right corner of a PNG the input\'s size, no other pixel changed', async () => {
    const res = await get(`${stack.edgeUrl}/graph/watermark.png?input=files%2Fmountains.png&overlay=files%2Fhappy-kitten.svg&gravity=southeast&opacity=0.6&scale=0.2`);
    expect(res.status).toBe(301);
    const png = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
    const [out, input] = await Promise.all([png, new URL('../examples/mountains.png', import.meta.url).pathname].map((s) => sharp(s).removeAlpha().raw().toBuffer({ resolveWithObject: true })));
    expect([out!.info.width, out!.info.height]).toEqual([1440, 1000]);
    const box = boxWhere(1440, 1000, (x, y) => [0, 1, 2].some((c) => out!.data[(y * 1440 + x) * 3 + c] !== input!.data[(y * 1440 + x) * 3 + c]));
    // The kitten, 0.2 × 1440 = 288 px wide (224 high), in the corner; not one pixel elsewhere.
    expect(box.count).toBeGreaterThan(1000);
    expect([box.left >= 1440 - 288, box.top >= 1000 - 224, box.right, box.bottom]).toEqual([true, true, 1439, 999]);
  });

  it('lists the original graphs with every inport typed', async () => {
    const res = await get(`${stack.edgeUrl}/graphs`);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const { graphs } = await res.json();
    expect(Object.keys(graphs).sort()).toEqual([...ORIGINAL_GRAPHS, 'resize', 'thumbnail', 'watermark'].sort());
    expect(graphs.crop.inports).toMatchObject({
      x: { type: 'number', default: 0 },
      cropwidth: { type: 'number', default: 10 },
      width: { type: 'int', minimum: 1 },
    });
    for (const g of Object.values(graphs) as Array<{ inports: Record<string, { type?: string }> }>) {
      for (const info of Object.values(g.inports)) expect(info.type).toBeTruthy();
    }
  });

  it('shows request, cache, job-phase and queue series on /metrics that move with requests', async () => {
    const series = async () => ({
      requests: await counter(stack, 'imgflo_bridge_job_requests_total'),
      misses: await counter(stack, 'imgflo_cache_lookups_total', { result: 'miss' }),
      phases: await counter(stack, 'imgflo_job_phase_seconds_count', { phase: 'process' }),
      processed: await counter(stack, 'imgflo_jobs_processed_total'),
    });
    const before = await series();
    const text = await (await fetch(`${stack.backendUrl}/metrics`)).text();
    expect(text).toMatch(/^imgflo_queue_depth\{queue="urgent"\} \d+$/m);
    expect(text).toMatch(/^imgflo_jobs_in_flight \d+$/m);
    expect((await get(`${stack.edgeUrl}/graph/crop.webp?input=files%2Fgridbear.jpg&x=55`)).status).toBe(301);
    const after = await series();
    expect(after.requests - before.requests).toBe(1);
    expect(after.misses - before.misses).toBe(1);
    expect(after.phases - before.phases).toBe(1);
    expect(after.processed - before.processed).toBe(1);
  });

  it('serves the example files, its version and its health', async () => {
    const file = await get(`${stack.edgeUrl}/files/gridbear.jpg`);
    expect([file.status, file.headers.get('content-type')]).toEqual([200, 'image/jpeg']);
    expect((await get(`${stack.edgeUrl}/files/..%2Fpackage.json`)).status).toBe(404);
    expect(await (await get(`${stack.edgeUrl}/version`)).json()).toMatchObject({ name: 'imgflo', version: expect.any(String) });
    const health = await get(`${stack.edgeUrl}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, index: 'ok', bridge: 'ok' });
  });
});

describe('end to end, signed (IMGFLO_API_KEY/IMGFLO_API_SECRET set)', () => {
  let stack: Stack;
  const key = KEY;
  const search = SEARCH;
  beforeAll(async () => {
    stack = await startTestStack({ IMGFLO_API_KEY: key, IMGFLO_API_SECRET: 'reeva9aijo1Ooj9w' });
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it.each([
    ['v1', '45fffba6e0a6f3dfc657e4f4e15ea597'],
    ['v2', 'xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE'],
  ])('accepts the SPEC worked example as a %s token', async (_v, token) => {
    const res = await get(`${stack.edgeUrl}/graph/${key}/${token}/crop${search}`);
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toMatch(/\.jpg$/);
  });

  it.each([
    ['a wrong token', `/graph/${key}/00000000000000000000000000000000/crop${search}`],
    ['a v1 token for another secret', `/graph/${key}/${tokenV1('another-secret', 'crop', search)}/crop${search}`],
    ['a v2 token for another secret', `/graph/${key}/${otherSecretV2}/crop${search}`],
    ['the unsigned form', `/graph/crop${search}`],
  ])('refuses %s with 403 JSON', async (_what, path) => {
    const res = await get(`${stack.edgeUrl}${path}`);
    expect(res.status).toBe(403);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: 'Forbidden', code: 403, reason: 'forbidden' });
  });
});
