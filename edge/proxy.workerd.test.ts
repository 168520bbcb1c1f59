/**
 * Proxy delivery in workerd: a hit answered with the bytes of the object in the R2 bucket binding
 * (Miniflare's R2), through the colo's Workers cache, with its ETag, 304 and Range. The index is
 * the honest in-memory adapter, set as a worker would after storing the result.
 */
import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import { resultObjectKey } from '../shared/cache-key.ts';
import { catalogueOf } from '../shared/graph/catalogue.ts';
import { MemoryCacheIndex } from '../shared/memory/cache-index.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { createApp } from './app.ts';
import { parseEdgeConfig } from './config.ts';
import { GRAPHS, PACKAGE, PRESETS } from './graphs.generated.ts';
import { memoizedResolver } from './request-memo.ts';
import { workersCache, type ResultsBucket } from './stored-result.ts';

interface Bindings {
  RESULTS: R2Bucket;
  ASSETS: Fetcher;
}
const bindings = env as unknown as Bindings & Record<string, string>;

async function system(results: ResultsBucket) {
  const config = parseEdgeConfig({ ...bindings, IMGFLO_DELIVERY: 'proxy', IMGFLO_EDGE_MEMO_SECONDS: '0' });
  const catalogue = await catalogueOf(GRAPHS, PRESETS);
  const index = new MemoryCacheIndex(new MemoryKv());
  const app = createApp({
    config,
    catalogue,
    index,
    bridge: async () => Promise.reject(new Error('no backend in this test: hits only')),
    findApp: async () => null,
    assets: null,
    pkg: PACKAGE,
    rateLimit: null,
    presign: null,
    fetchResult: async () => new Response(null, { status: 404 }),
    results,
    resultsCache: workersCache(),
    now: () => Date.now(),
    log: () => {},
  });
  return { app, index, catalogue, config };
}

describe('proxy delivery in workerd', () => {
  it('answers a hit with the bytes of the object in R2, then from the colo cache, with ETag, 304 and Range', async () => {
    let reads = 0;
    const bucket: ResultsBucket = { get: (key) => (reads++, bindings.RESULTS.get(key)) };
    const { app, index, catalogue, config } = await system(bucket);
    const path = '/graph/passthrough.jpg?input=files%2Fgridbear.jpg&width=80';
    const { key } = await memoizedResolver(1, 1e6)(catalogue.get('passthrough')!, 'jpg', [['input', 'files/gridbear.jpg'], ['width', '80']], { sizeLimitMegapixels: config.sizeLimitMegapixels });
    const jpeg = new Uint8Array(await (await bindings.ASSETS.fetch('http://assets/gridbear.jpg')).arrayBuffer());
    const objectKey = resultObjectKey('results', key, 'jpg', '0123456789abcdef');
    await bindings.RESULTS.put(objectKey, jpeg, { httpMetadata: { contentType: 'image/jpeg' } });
    await index.set(key, objectKey, 60);

    const hit = await app.request(`http://edge.test${path}`);
    expect(hit.status).toBe(200);
    expect(hit.headers.get('content-type')).toBe('image/jpeg');
    expect(hit.headers.get('etag')).toBe('"0123456789abcdef"');
    expect(new Uint8Array(await hit.arrayBuffer())).toEqual(jpeg);
    expect(reads).toBe(1);

    // The next hits come from the colo's cache: the bucket is not read again.
    const again = await app.request(`http://edge.test${path}`);
    expect(new Uint8Array(await again.arrayBuffer())).toEqual(jpeg);
    const notModified = await app.request(`http://edge.test${path}`, { headers: { 'if-none-match': '"0123456789abcdef"' } });
    expect(notModified.status).toBe(304);
    const part = await app.request(`http://edge.test${path}`, { headers: { range: 'bytes=0-99' } });
    expect([part.status, part.headers.get('content-range')]).toEqual([206, `bytes 0-99/${jpeg.byteLength}`]);
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(jpeg.subarray(0, 100));
    expect(reads).toBe(1);
  });

  it('answers 503 when the index names an object the bucket does not have', async () => {
    const { app, index, catalogue, config } = await system(bindings.RESULTS);
    const { key } = await memoizedResolver(1, 1e6)(catalogue.get('passthrough')!, 'png', [['input', 'files/gridbear.jpg'], ['width', '81']], { sizeLimitMegapixels: config.sizeLimitMegapixels });
    await index.set(key, resultObjectKey('results', key, 'png', 'fedcba9876543210'), 60);
    const res = await app.request('http://edge.test/graph/passthrough.png?input=files%2Fgridbear.jpg&width=81');
    expect([res.status, ((await res.json()) as { reason: string }).reason]).toEqual([503, 'unavailable']);
  });
});
