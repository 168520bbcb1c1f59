/** /info at the edge, over the whole request path in one process: JSON, cache, HEAD, POST, tokens, CORS. */
import { decode as decodeBlurhash } from 'blurhash';
import sharp from 'sharp';
import * as v from 'valibot';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../shared/contracts/app-registry.contract.ts';
import { ImageInfoSchema } from '../shared/info.ts';
import { MemoryAppRegistry } from '../shared/memory/app-registry.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { MemoryObjectStore } from '../shared/memory/object-store.ts';
import { tokenV2 } from '../shared/tokens.ts';
import { deltaE, meanLab } from '../test/helpers/compare.ts';
import { inProcessSystem, ROOT } from '../test/helpers/in-process.ts';

type System = Awaited<ReturnType<typeof inProcessSystem>>;

describe('/info', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await inProcessSystem();
  });

  it('answers the input\'s description as JSON; the BlurHash has its colour; the second request is a hit', async () => {
    const first = await sys.request('/info?input=files%2Fgridbear.jpg');
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toBe('application/json');
    const info = v.parse(ImageInfoSchema, await first.json());
    expect(info).toMatchObject({ width: 150, height: 150, format: 'jpg', frames: 1, hasAlpha: false, orientation: 1 });
    const decoded = await sharp(Buffer.from(decodeBlurhash(info.blurhash, 32, 32)), { raw: { width: 32, height: 32, channels: 4 } }).png().toBuffer();
    expect(deltaE(await meanLab(decoded), await meanLab(`${ROOT}examples/gridbear.jpg`))).toBeLessThan(10);

    const [published, processed] = [await sys.published(), await sys.processed()];
    const again = await sys.request('/info?input=files%2Fgridbear.jpg');
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual(info);
    expect([await sys.published(), await sys.processed()]).toEqual([published, processed]);
  });

  it('is a job of its own: a graph of the same input has another cache entry', async () => {
    const processed = await sys.processed();
    await sys.request('/info?input=files%2Fgrid-toastybob.jpg');
    const image = await sys.request('/graph/noop?input=files%2Fgrid-toastybob.jpg');
    expect(image.status).toBe(301);
    expect(await sys.processed()).toBe(processed + 2);
  });

  it('answers HEAD 404 not-cached before the job and 200 after; POST pre-warms with 202', async () => {
    const url = '/info?input=files%2Fmountains.png';
    const miss = await sys.request(url, { method: 'HEAD' });
    expect(miss.status).toBe(404);
    const queued = await sys.request(url, { method: 'POST' });
    expect(queued.status).toBe(202);
    expect(await queued.json()).toMatchObject({ queued: true });
    let status = 0;
    for (let i = 0; i < 100 && status !== 200; i++) {
      status = (await sys.request(url, { method: 'HEAD' })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe(200);
    const processed = await sys.processed();
    expect((await sys.request(url)).status).toBe(200);
    expect(await sys.processed()).toBe(processed);
  });

  it('checks its parameters at the edge, before any job', async () => {
    const before = await sys.published();
    const cases: Array<[string, number, string]> = [
      ['/info', 422, 'invalid-parameter'],
      ['/info?input=files%2Fgridbear.jpg&width=30', 449, 'unknown-parameter'],
      ['/info?input=files%2Fgridbear.jpg&fallback=files%2Fmountains.png', 449, 'unknown-parameter'],
      ['/info?input=ftp%3A%2F%2Fx.example%2Fa.jpg', 504, 'input-fetch-failed'],
      [`/info?input=${'a'.repeat(5000)}`, 422, 'invalid-parameter'],
      ['/info/too/many/segments?input=files%2Fgridbear.jpg', 404, 'not-found'],
    ];
    for (const [url, status, reason] of cases) {
      const res = await sys.request(url);
      expect([url, res.status, ((await res.json()) as { reason: string }).reason]).toEqual([url, status, reason]);
    }
    expect(await sys.published()).toBe(before);
  });

  it('describes a chained input: the result of a processing URL', async () => {
    const res = await sys.request(`/info?input=${encodeURIComponent('graph/crop?input=files%2Fgridbear.jpg&x=10&cropwidth=20&cropheight=30')}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ width: 20, height: 30, format: 'jpg' });
  });

  it('answers a failed input with its error, and 503 when storage cannot give the stored JSON', async () => {
    const missing = await sys.request('/info?input=files%2Fnope.jpg');
    expect([missing.status, ((await missing.json()) as { reason: string }).reason]).toEqual([504, 'input-fetch-failed']);

    const stored: string[] = [];
    const store = new (class extends MemoryObjectStore {
      override put(key: string, body: Uint8Array, type: string) {
        stored.push(key);
        return super.put(key, body, type);
      }
      override create(key: string, body: Uint8Array, type: string) {
        stored.push(key);
        return super.create(key, body, type);
      }
    })();
    const forgetful = await inProcessSystem({ store });
    const url = '/info?input=files%2Fgridbear.jpg';
    const first = await (await forgetful.request(url)).json();
    for (const key of stored) await store.delete(key);
    // Kept in the isolate for IMGFLO_EDGE_MEMO_SECONDS, as index hits are; then read again.
    expect(await (await forgetful.request(url)).json()).toEqual(first);
    forgetful.setNow(Date.now() + 61_000);
    const lost = await forgetful.request(url);
    expect([lost.status, ((await lost.json()) as { reason: string }).reason]).toEqual([503, 'unavailable']);
  });

  it('carries CORS headers, and answers a preflight', async () => {
    const res = await sys.request('/info?input=files%2Fgridbear.jpg', { headers: { Origin: 'https://site.example' } });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const preflight = await sys.request('/info?input=files%2Fgridbear.jpg', { method: 'OPTIONS', headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'GET' } });
    expect([preflight.status, preflight.headers.get('access-control-allow-origin')]).toEqual([204, '*']);
  });
});

describe('/info with auth on', () => {
  it('needs a token over the graphspec "info"; an app\'s default fallback never stands in', async () => {
    const registry = new MemoryAppRegistry(new MemoryKv());
    await registry.put(makeApp({ key: 'site', secrets: ['s3cret'], fallback: 'files/gridbear.jpg' }));
    const sys = await inProcessSystem({ bindings: { IMGFLO_REQUIRE_AUTH: '1' }, findApp: (key) => registry.get(key) });
    const search = '?input=files%2Fgrid-toastybob.jpg';
    expect((await sys.request(`/info${search}`)).status).toBe(403);
    expect((await sys.request(`/info/site/${await tokenV2('s3cret', 'crop', search)}${search}`)).status).toBe(403);
    expect((await sys.request(`/info/site/${await tokenV2('wrong', 'info', search)}${search}`)).status).toBe(403);
    const signed = await sys.request(`/info/site/${await tokenV2('s3cret', 'info', search)}${search}`);
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ width: 768, height: 1024, format: 'jpg' });

    const missing = '?input=files%2Fnope.jpg';
    const failed = await sys.request(`/info/site/${await tokenV2('s3cret', 'info', missing)}${missing}`);
    expect(failed.status).toBe(504);
  });
});
