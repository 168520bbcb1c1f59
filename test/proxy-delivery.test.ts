/**
 * IMGFLO_DELIVERY=proxy end to end (npm start's shape, and on Redis and S3): misses
 * and hits answered with the bytes, ETag and 304, Range; and a page of 40 images loaded in
 * Chromium in fewer requests than with redirects, every image shown, no console error.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import sharp from 'sharp';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { freshRedisDb, redisAvailable, s3Available, S3_ENDPOINT } from './helpers/services.ts';
import { counter, startTestStack } from './helpers/stack.ts';

const CHROMIUM = process.env.IMGFLO_TEST_CHROMIUM ?? '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
if (!present && process.env.IMGFLO_TEST_REQUIRE_SERVICES === '1') throw new Error(`Chromium is not installed at ${CHROMIUM}`);

const IMAGES = 40;
const imageUrl = (edge: string, i: number) => `${edge}/graph/passthrough.jpg?input=files%2Fgridbear.jpg&width=${40 + i}`;

const withServices = (await redisAvailable()) && (await s3Available());

describe.each([
  { mode: 'local disk and the embedded index (npm start)', settings: async () => ({}), runs: true },
  {
    mode: 'S3 and Redis',
    settings: async () => ({ IMGFLO_REDIS_URL: await freshRedisDb(13), IMGFLO_S3_ENDPOINT: S3_ENDPOINT, IMGFLO_S3_BUCKET: 'imgflo-test', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', IMGFLO_S3_PREFIX: `proxy-${crypto.randomUUID().slice(0, 8)}` }),
    runs: withServices,
  },
])('hits answered with the bytes (IMGFLO_DELIVERY=proxy), with $mode', ({ settings, runs }) => {
  let proxy: Stack;
  beforeAll(async () => {
    if (runs) proxy = await startTestStack({ IMGFLO_DELIVERY: 'proxy', ...(await settings()) });
  }, 120_000);
  afterAll(async () => {
    await proxy?.stop();
  });

  it.runIf(runs)('answers a miss, then a hit, with the image: type, strong ETag, 304 to If-None-Match, 206 to a Range', async () => {
    const url = `${proxy.edgeUrl}/graph/passthrough.webp?input=files%2Fmountains.png&width=200`;
    const miss = await fetch(url, { redirect: 'manual' });
    expect(miss.status).toBe(200);
    expect(miss.headers.get('content-type')).toBe('image/webp');
    expect(miss.headers.get('cache-control')).toBe('public, max-age=3600');
    expect(miss.headers.get('cache-tag')).toMatch(/^imgflo,imgflo:graph:passthrough,imgflo:input:[0-9a-f]{32}$/);
    const etag = miss.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const bytes = Buffer.from(await miss.arrayBuffer());
    expect(await sharp(bytes).metadata()).toMatchObject({ format: 'webp', width: 200 });
    const processed = await counter(proxy, 'imgflo_jobs_processed_total', { outcome: 'processed' });

    const hit = await fetch(url);
    expect([hit.status, hit.headers.get('etag')]).toEqual([200, etag]);
    expect(Buffer.compare(Buffer.from(await hit.arrayBuffer()), bytes)).toBe(0);
    expect((await fetch(url, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const part = await fetch(url, { headers: { range: 'bytes=0-99' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 0-99/${bytes.length}`]);
    expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), bytes.subarray(0, 100))).toBe(0);
    expect(await counter(proxy, 'imgflo_jobs_processed_total', { outcome: 'processed' })).toBe(processed);
  });
});

describe.skipIf(!present)('a page of images in Chromium', () => {
  let proxy: Stack;
  let redirect: Stack;
  let browser: Browser;
  beforeAll(async () => {
    [proxy, redirect] = await Promise.all([startTestStack({ IMGFLO_DELIVERY: 'proxy' }), startTestStack()]);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await Promise.all([proxy?.stop(), redirect?.stop()]);
  });

  it(`loads a page of ${IMAGES} images in fewer requests than with redirects, each image shown`, async () => {
    const load = async (edge: string) => {
      // Made first, so that both pages load cached results.
      await Promise.all(Array.from({ length: IMAGES }, (_, i) => fetch(imageUrl(edge, i), { redirect: 'manual' }).then((r) => r.body?.cancel())));
      const context = await browser.newContext();
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      let requests = 0;
      page.on('request', () => requests++);
      const html = `<!doctype html><meta charset="utf-8"><title>gallery</title>${Array.from({ length: IMAGES }, (_, i) => `<img src="${imageUrl(edge, i)}" alt="">`).join('')}`;
      // The page from a site of its own, as HTML that embeds the URLs is.
      const site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html));
      await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
      await page.goto(`http://127.0.0.1:${(site.address() as { port: number }).port}/`);
      await page.waitForFunction(() => [...document.images].every((i) => i.complete), undefined, { timeout: 60_000 });
      const widths = await page.evaluate(() => [...document.images].map((i) => i.naturalWidth));
      await context.close();
      await new Promise<void>((r) => site.close(() => r()));
      return { requests, widths, problems };
    };
    const viaProxy = await load(proxy.edgeUrl);
    const viaRedirect = await load(redirect.edgeUrl);
    const expected = Array.from({ length: IMAGES }, (_, i) => 40 + i);
    expect(viaProxy.widths).toEqual(expected);
    expect(viaRedirect.widths).toEqual(expected);
    expect([viaProxy.problems, viaRedirect.problems]).toEqual([[], []]);
    // The page itself, then one request an image; with redirects, two.
    expect(viaProxy.requests).toBe(1 + IMAGES);
    expect(viaRedirect.requests).toBe(1 + 2 * IMAGES);
    console.log(`[page of ${IMAGES} images] requests: proxy ${viaProxy.requests}, redirect ${viaRedirect.requests}`);
  });
});
