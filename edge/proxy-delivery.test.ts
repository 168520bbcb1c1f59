/** IMGFLO_DELIVERY=proxy: hits and misses answered with the result's bytes, ETag, 304, Range. */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inProcessSystem } from '../test/helpers/in-process.ts';
import { rangeOf } from './deliver-bytes.ts';
import type { ResultsBucket } from './stored-result.ts';

type System = Awaited<ReturnType<typeof inProcessSystem>>;
const URL_ = '/graph/passthrough.jpg?input=files%2Fgridbear.jpg&width=120';

describe.each([
  { from: 'the object URL (public bucket, /cache/)', bucket: false },
  { from: 'an R2 bucket binding', bucket: true },
])('proxy delivery from $from', ({ bucket }) => {
  let sys: System;
  let bucketReads = 0;
  beforeAll(async () => {
    let store: System['store'] | null = null;
    // An R2 binding as the Workers runtime gives it, over the same store the workers write.
    const results: ResultsBucket = {
      get: async (key) => {
        bucketReads++;
        const o = await store!.get(key);
        return o && { arrayBuffer: async () => new Uint8Array(o.body).buffer, httpMetadata: { contentType: o.contentType } };
      },
    };
    sys = await inProcessSystem({ bindings: { IMGFLO_DELIVERY: 'proxy' }, ...(bucket && { results }) });
    store = sys.store;
  });

  it('answers a miss and then a hit with the image itself: type, strong ETag, the redirect\'s max-age', async () => {
    const miss = await sys.request(URL_);
    expect(miss.status).toBe(200);
    expect(miss.headers.get('location')).toBeNull();
    expect(miss.headers.get('content-type')).toBe('image/jpeg');
    expect(miss.headers.get('cache-control')).toBe('public, max-age=3600');
    const etag = miss.headers.get('etag')!;
    expect(etag).toMatch(/^"[0-9a-f]{16}"$/);
    const bytes = Buffer.from(await miss.arrayBuffer());
    expect(miss.headers.get('content-length')).toBe(String(bytes.length));
    expect((await sharp(bytes).metadata()).width).toBe(120);
    const processed = await sys.processed();
    const hit = await sys.request(URL_);
    expect([hit.status, hit.headers.get('etag')]).toEqual([200, etag]);
    expect(Buffer.compare(Buffer.from(await hit.arrayBuffer()), bytes)).toBe(0);
    expect(await sys.processed()).toBe(processed);
    if (bucket) expect(bucketReads).toBeGreaterThanOrEqual(2);
  });

  it('answers 304 to If-None-Match with its ETag, and the bytes to another', async () => {
    const etag = (await sys.request(URL_)).headers.get('etag')!;
    const same = await sys.request(URL_, { headers: { 'if-none-match': etag } });
    expect([same.status, same.headers.get('etag'), await same.text()]).toEqual([304, etag, '']);
    expect((await sys.request(URL_, { headers: { 'if-none-match': `W/${etag}, "other"` } })).status).toBe(304);
    expect((await sys.request(URL_, { headers: { 'if-none-match': '"0000000000000000"' } })).status).toBe(200);
  });

  it('answers Range: bytes=0-99 with 206 and those bytes, a suffix too, and 416 past the end', async () => {
    const whole = Buffer.from(await (await sys.request(URL_)).arrayBuffer());
    const part = await sys.request(URL_, { headers: { range: 'bytes=0-99' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-99/${whole.length}`);
    expect(Buffer.compare(Buffer.from(await part.arrayBuffer()), whole.subarray(0, 100))).toBe(0);
    const tail = await sys.request(URL_, { headers: { range: 'bytes=-10' } });
    expect([tail.status, tail.headers.get('content-range')]).toEqual([206, `bytes ${whole.length - 10}-${whole.length - 1}/${whole.length}`]);
    const past = await sys.request(URL_, { headers: { range: `bytes=${whole.length}-` } });
    expect([past.status, past.headers.get('content-range')]).toEqual([416, `bytes */${whole.length}`]);
  });

  it('answers HEAD with the headers alone, and an auto URL with Vary: Accept and the negotiated type', async () => {
    const head = await sys.request(URL_, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, 'image/jpeg', '']);
    const auto = await sys.request('/graph/passthrough.auto?input=files%2Fgridbear.jpg&width=60', { headers: { accept: 'image/webp,*/*' } });
    expect([auto.status, auto.headers.get('content-type'), auto.headers.get('vary')]).toEqual([200, 'image/webp', 'Accept']);
  });
});

describe('Range header forms', () => {
  it('reads one range, ignores what it does not take, and refuses what cannot be met', () => {
    expect(rangeOf('bytes=0-99', 1000)).toEqual({ start: 0, end: 99 });
    expect(rangeOf('bytes=900-', 1000)).toEqual({ start: 900, end: 999 });
    expect(rangeOf('bytes=990-5000', 1000)).toEqual({ start: 990, end: 999 });
    expect(rangeOf('bytes=-2000', 1000)).toEqual({ start: 0, end: 999 });
    expect(rangeOf(undefined, 1000)).toBeNull();
    expect(rangeOf('bytes=0-1,5-9', 1000)).toBeNull();
    expect(rangeOf('items=0-1', 1000)).toBeNull();
    expect(rangeOf('bytes=1000-', 1000)).toBe('unsatisfiable');
    expect(rangeOf('bytes=5-1', 1000)).toBe('unsatisfiable');
    expect(rangeOf('bytes=-0', 1000)).toBe('unsatisfiable');
  });
});
