import { serve } from '@hono/node-server';
import sharp from 'sharp';
import { beforeEach, describe, expect, it } from 'vitest';
import { inputTag } from '../shared/cache-tags.ts';
import { MemoryAppRegistry } from '../shared/memory/app-registry.ts';
import { MemoryCacheIndex } from '../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../shared/memory/job-queue.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { systemClock } from '../shared/ports.ts';
import { tokenV1, tokenV2 } from '../shared/tokens.ts';
import { createBridgeApp } from '../worker/bridge/app.ts';
import { Bridge } from '../worker/bridge/bridge.ts';
import { createLogger } from '../worker/log.ts';
import { createMetrics } from '../worker/metrics.ts';
import { httpBridgeClient, TOKEN_REFUSED } from './bridge-client.ts';
import { ORIGINAL_GRAPHS } from '../test/helpers/catalogue.ts';
import { inProcessSystem } from '../test/helpers/in-process.ts';

type System = Awaited<ReturnType<typeof inProcessSystem>>;
const objectKeyOf = (location: string) => location.replace('https://img.example.com/', '');

describe('edge, unsigned (auth off)', () => {
  let sys: System;
  beforeEach(async () => {
    sys = await inProcessSystem();
  });

  it('answers a miss with 301 to the stored result, then a hit from the index without a job', async () => {
    const url = '/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=300';
    const first = await sys.request(url);
    expect(first.status).toBe(301);
    const location = first.headers.get('location')!;
    expect(location).toMatch(/^https:\/\/img\.example\.com\/results\/[0-9a-f]{40}\/[0-9a-f]{16}\.jpg$/);
    const stored = await sys.store.get(objectKeyOf(location));
    expect(stored?.contentType).toBe('image/jpeg');
    expect((await sharp(stored!.body).metadata()).width).toBe(300);
    expect(await sys.published()).toBe(1);

    const second = await sys.request(url);
    expect(second.status).toBe(301);
    expect(second.headers.get('location')).toBe(location);
    expect(await sys.published()).toBe(1);
    // A redirect may be kept an hour by default: how late a purge can reach a browser or a CDN.
    expect([first.headers.get('cache-control'), second.headers.get('cache-control')]).toEqual(['public, max-age=3600', 'public, max-age=3600']);
  });

  it('tags each answer for a CDN purge: the graph, and every image the result is made from', async () => {
    const res = await sys.request('/graph/watermark.png?input=files%2Fgridbear.jpg&overlay=files%2Fhappy-kitten.svg');
    expect(res.status).toBe(301);
    expect(res.headers.get('cache-tag')).toBe(['imgflo', 'imgflo:graph:watermark', await inputTag('files/gridbear.jpg'), await inputTag('files/happy-kitten.svg')].join(','));
    const hit = await sys.request('/graph/watermark.png?input=files%2Fgridbear.jpg&overlay=files%2Fhappy-kitten.svg');
    expect(hit.headers.get('cache-tag')).toBe(res.headers.get('cache-tag'));
  });

  it('keeps redirects for IMGFLO_REDIRECT_MAX_AGE seconds, and refuses a value out of range', async () => {
    const short = await inProcessSystem({ bindings: { IMGFLO_REDIRECT_MAX_AGE: '120' } });
    const res = await short.request('/graph/passthrough?input=files%2Fgridbear.jpg&width=31');
    expect([res.status, res.headers.get('cache-control')]).toEqual([301, 'public, max-age=120']);
    await expect(inProcessSystem({ bindings: { IMGFLO_REDIRECT_MAX_AGE: '-1' } })).rejects.toThrow(/IMGFLO_REDIRECT_MAX_AGE/);
  });

  it('answers HEAD with 404 not-cached on a miss, without processing, and 301 on a hit', async () => {
    const url = '/graph/crop.png?input=files%2Fgridbear.jpg';
    const miss = await sys.request(url, { method: 'HEAD' });
    expect(miss.status).toBe(404);
    expect(await sys.published()).toBe(0);
    await sys.request(url);
    const hit = await sys.request(url, { method: 'HEAD' });
    expect(hit.status).toBe(301);
  });

  it('answers POST of a new URL with 202 and the Location to ask (the URL itself), where the result appears', async () => {
    const url = '/graph/crop.webp?input=files%2Fgridbear.jpg&cropwidth=50';
    const res = await sys.request(url, { method: 'POST' });
    expect(res.status).toBe(202);
    const location = res.headers.get('location')!;
    expect(location).toBe(`http://edge.test${url}`);
    expect(await res.json()).toEqual({ queued: true, location });
    let head = await sys.request(url, { method: 'HEAD' });
    for (let i = 0; i < 750 && head.status === 404; i++) {
      await new Promise((r) => setTimeout(r, 20));
      head = await sys.request(url, { method: 'HEAD' });
    }
    expect(head.status).toBe(301);
    const stored = await sys.store.get(objectKeyOf(head.headers.get('location')!));
    expect(stored?.contentType).toBe('image/webp');
    expect(await sharp(stored!.body).metadata()).toMatchObject({ width: 50, height: 10, format: 'webp' });
    const again = await sys.request(url, { method: 'POST' });
    expect(again.status).toBe(301);
  });

  it('coalesces ten identical concurrent misses into one processing run', async () => {
    const url = '/graph/gaussianblur?input=files%2Fgridbear.jpg&std-dev-x=3';
    const answers = await Promise.all(Array.from({ length: 10 }, () => sys.request(url)));
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(301));
    expect(new Set(answers.map((a) => a.headers.get('location'))).size).toBe(1);
    expect(await sys.processed()).toBe(1);
  });

  it.each([
    ['an unknown parameter', '/graph/crop?input=files%2Fgridbear.jpg&skeke=1', 449, 'unknown-parameter'],
    ['an unsupported type', '/graph/crop.svg?input=files%2Fgridbear.jpg', 449, 'unsupported-type'],
    ['an unknown graph', '/graph/nonexistent?input=files%2Fgridbear.jpg', 404, 'unknown-graph'],
    ['a size over the limit', '/graph/passthrough?input=files%2Fgridbear.jpg&width=30000&height=1000', 422, 'size-limit'],
    ['a value that is not a number', '/graph/crop?input=files%2Fgridbear.jpg&x=abc', 422, 'invalid-parameter'],
    ['a missing example file', '/graph/crop?input=files%2F__nonexisting_image___.jpg', 504, 'input-fetch-failed'],
    ['a file: input', '/graph/crop?input=file%3A%2F%2F%2Fetc%2Fpasswd', 504, 'input-fetch-failed'],
    ['an unknown route', '/nothing/here', 404, 'not-found'],
    ['a path with too many segments', '/graph/a/b/c/d', 404, 'not-found'],
  ])('answers %s with a typed JSON error', async (_what, url, status, reason) => {
    const res = await sys.request(url);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ code: status, reason });
    expect(typeof body.error).toBe('string');
    expect(JSON.stringify(body)).not.toMatch(/\/work\/|examples\/|processes|connections/);
  });

  it('names the unknown parameter and lists the inports in a 449', async () => {
    const res = await sys.request('/graph/crop?input=files%2Fgridbear.jpg&skeke=1&oooor=2');
    const body = (await res.json()) as { unknown: string[]; inports: string[] };
    expect(body.unknown).toEqual(['oooor', 'skeke']);
    expect(body.inports).toEqual(expect.arrayContaining(['x', 'y', 'cropwidth', 'cropheight', 'width', 'height', 'input']));
  });

  it('redirects a GET with debug to the debug page, without processing', async () => {
    const res = await sys.request('/graph/crop?height=111&x=130&input=files%2Fgridbear.jpg&debug=1');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/debug/graph/crop?height=111&x=130&input=files%2Fgridbear.jpg&debug=1');
    expect(await sys.published()).toBe(0);
  });

  it('refuses an expired _exp with 403', async () => {
    sys.setNow(2_000_000_000_000);
    const res = await sys.request('/graph/crop?input=files%2Fgridbear.jpg&_exp=1900000000');
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ code: 403, reason: 'forbidden' });
  });

  it('lists every graph with every inport typed', async () => {
    const res = await sys.request('/graphs');
    expect(res.status).toBe(200);
    const { graphs } = (await res.json()) as { graphs: Record<string, { inports: Record<string, { type: string }> }> };
    expect(Object.keys(graphs).sort()).toEqual([...ORIGINAL_GRAPHS, 'resize', 'thumbnail', 'watermark'].sort());
    for (const [name, g] of Object.entries(graphs)) {
      for (const [port, info] of Object.entries(g.inports)) expect(info.type, `${name}.${port}`).toMatch(/^(number|int|boolean|string|enum|color|uri|image)$/);
    }
    const one = await sys.request('/graphs/gaussianblur');
    expect(await one.json()).toMatchObject({ inports: { 'std-dev-x': { type: 'number', default: 1.5, minimum: 0, maximum: 1500 } } });
    expect((await sys.request('/graphs/nope')).status).toBe(404);
  });

  it('sends nosniff and a restrictive CSP with JSON, and a CSP for the page', async () => {
    const json = await sys.request('/graphs');
    expect(json.headers.get('x-content-type-options')).toBe('nosniff');
    expect(json.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    const page = await sys.request('/');
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*frame-ancestors 'none'/);
    const err = await sys.request('/graph/nope?input=files%2Fa.jpg');
    expect(err.headers.get('x-content-type-options')).toBe('nosniff');
  });

  it('picks avif, webp or jpg for auto from Accept, one cache entry per variant, with Vary', async () => {
    const url = '/graph/resize.auto?input=files%2Fgridbear.jpg&width=40';
    const variants = [
      ['image/avif,image/webp,*/*', /\.avif$/, 'image/avif'],
      ['image/webp,*/*;q=0.8', /\.webp$/, 'image/webp'],
      ['*/*', /\.jpg$/, 'image/jpeg'],
      ['', /\.jpg$/, 'image/jpeg'],
    ] as const;
    const locations = new Set<string>();
    for (const [accept, ext, type] of variants) {
      const res = await sys.request(url, { headers: accept ? { accept } : {} });
      expect(res.status).toBe(301);
      expect(res.headers.get('vary')).toBe('Accept');
      const location = res.headers.get('location')!;
      expect(location).toMatch(ext);
      expect((await sys.store.head(objectKeyOf(location)))?.contentType).toBe(type);
      locations.add(location);
    }
    expect(locations.size).toBe(3);
    expect(await sys.processed()).toBe(3);
  });

  it('tells its name and version', async () => {
    expect(await (await sys.request('/version')).json()).toMatchObject({ name: 'imgflo', version: '0.0.0-test' });
  });
});

describe('edge, when the index or the backend fails', () => {
  it('treats an unreachable index as a miss and still answers', async () => {
    const down = async (): Promise<never> => Promise.reject(new Error('down'));
    const broken = { get: down, lookup: down, commit: down, set: down, delete: down, claim: down, claimHolder: down, renewClaim: down, release: down, rememberFailure: down, failure: down, recordLineage: down, lineage: down, forgetLineage: down, recordSources: down, sources: down, markFresh: down, claimStale: down };
    const sys = await inProcessSystem({ index: broken });
    const res = await sys.request('/graph/crop?input=files%2Fgridbear.jpg');
    expect(res.status).toBe(301);
    expect(sys.logs).toContainEqual(expect.objectContaining({ msg: 'cache index unavailable, treating as a miss', level: 'warn' }));
  });

  it('answers 503 with Retry-After when the bridge is unreachable', async () => {
    const sys = await inProcessSystem({ bridge: httpBridgeClient({ url: 'http://127.0.0.1:9', token: 'x'.repeat(16), timeoutMs: 2000 }) });
    const res = await sys.request('/graph/crop?input=files%2Fgridbear.jpg');
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ code: 503, reason: 'unavailable' });
  });
});

describe('an edge with another token than its bridge', () => {
  it('answers 503, logs why in one line, and its /health names the refused token', async () => {
    // The real bridge over HTTP, with its own token.
    const kv = new MemoryKv();
    const metrics = createMetrics();
    const log = createLogger('silent');
    const bridge = new Bridge({ queue: new MemoryJobQueue(), index: new MemoryCacheIndex(kv), apps: new MemoryAppRegistry(kv), clock: systemClock, metrics, log, jobTimeoutMs: 2000 });
    const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
      const s = serve({ fetch: createBridgeApp({ bridge, bridgeToken: 'the-bridge-token-1234', metrics, log }).fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
    });
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const logs: Array<Record<string, unknown>> = [];
      const wrong = 'not-the-bridge-token-5678';
      const sys = await inProcessSystem({ bindings: { IMGFLO_BRIDGE_URL: url, IMGFLO_BRIDGE_TOKEN: wrong }, bridge: httpBridgeClient({ url, token: wrong, timeoutMs: 2000, log: (l) => logs.push(l) }) });
      const res = await sys.request('/graph/crop?input=files%2Fgridbear.jpg');
      expect([res.status, (await res.json()).reason]).toEqual([503, 'unavailable']);
      expect(logs).toContainEqual(expect.objectContaining({ msg: TOKEN_REFUSED, level: 'error' }));
      const health = await sys.request('/health');
      expect([health.status, await health.json()]).toEqual([503, { ok: true, index: 'ok', bridge: 'token-refused' }]);
      // With the bridge's token, the same health check passes.
      const right = await inProcessSystem({ bindings: { IMGFLO_BRIDGE_URL: url, IMGFLO_BRIDGE_TOKEN: 'the-bridge-token-1234' } });
      expect(await (await right.request('/health')).json()).toEqual({ ok: true, index: 'ok', bridge: 'ok' });
    } finally {
      bridge.close();
      server.close();
    }
  });
});

describe('edge, signed (auth on)', () => {
  const secret = 'reeva9aijo1Ooj9w';
  const key = 'ooShei0queigeeke';
  const search = '?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg';
  let sys: System;
  beforeEach(async () => {
    sys = await inProcessSystem({
      bindings: { IMGFLO_API_KEY: key, IMGFLO_API_SECRET: secret, IMGFLO_ADMIN_KEY: 'niem4Hoodaku', IMGFLO_ADMIN_SECRET: 'reiL1ohqu1do' },
    });
  });

  it('accepts the SPEC worked example in v1 and v2 form', async () => {
    const v1 = await sys.request(`/graph/${key}/45fffba6e0a6f3dfc657e4f4e15ea597/crop${search}`);
    expect(v1.status).toBe(301);
    const v2 = await sys.request(`/graph/${key}/xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE/crop${search}`);
    expect(v2.status).toBe(301);
    expect(v2.headers.get('location')).toBe(v1.headers.get('location'));
  });

  it.each([
    ['the unsigned form', `/graph/crop${search}`],
    ['a wrong token', `/graph/${key}/${'0'.repeat(32)}/crop${search}`],
    ['a token for another secret', `/graph/${key}/${tokenV1('other-secret', 'crop', search)}/crop${search}`],
    ['a token for another query', `/graph/${key}/${tokenV1(secret, 'crop', search)}/crop${search}&x=1`],
    ['an unknown key', `/graph/nokey/${tokenV1(secret, 'crop', search)}/crop${search}`],
    ['the unsigned form asking for the debug view', `/graph/crop${search}&debug=1`],
    ['a wrong token asking for the debug view', `/graph/${key}/${'0'.repeat(32)}/crop${search}&debug=1`],
  ])('refuses %s with 403 JSON', async (_what, url) => {
    const res = await sys.request(url);
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'Forbidden', code: 403, reason: 'forbidden' });
    expect(await sys.published()).toBe(0);
  });

  it('leaves hits out of the access log with IMGFLO_LOG_HITS=0, and logs the rest', async () => {
    const quiet = await inProcessSystem({ bindings: { IMGFLO_LOG_HITS: '0' } });
    const url = '/graph/crop.png?input=files%2Fgridbear.jpg&x=3';
    expect((await quiet.request(url)).status).toBe(301);
    expect((await quiet.request(url)).status).toBe(301);
    expect((await quiet.request('/graph/nope?input=x')).status).toBe(404);
    const lines = quiet.logs.filter((l) => l.msg === 'request');
    expect(lines.map((l) => l.status)).toEqual([301, 404]);
  });

  it('redirects a signed GET with debug to the debug page', async () => {
    const q = `${search}&debug=1`;
    const res = await sys.request(`/graph/${key}/${tokenV1(secret, 'crop', q)}/crop${q}`);
    expect([res.status, res.headers.get('location')]).toEqual([302, `/debug/graph/${key}/${tokenV1(secret, 'crop', q)}/crop${q}`]);
  });

  it('logs each request with its status, never with its token', async () => {
    await sys.request(`/graph/${key}/xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE/crop${search}`);
    await sys.request(`/graph/${key}/45fffba6e0a6f3dfc657e4f4e15ea597/crop${search}`);
    await sys.request(`/info/${key}/Xk8Nq2fZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE?input=files%2Fgridbear.jpg`);
    const text = JSON.stringify(sys.logs);
    expect(sys.logs).toContainEqual(expect.objectContaining({ msg: 'request', url: `/info/${key}/[redacted]?input=files%2Fgridbear.jpg` }));
    expect(text).not.toContain('Xk8Nq2fZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE');
    expect(sys.logs).toContainEqual(expect.objectContaining({ msg: 'request', status: 301, url: `/graph/${key}/[redacted]/crop${search}` }));
    expect(text).not.toContain('xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE');
    expect(text).not.toContain('45fffba6e0a6f3dfc657e4f4e15ea597');
    expect(text).not.toContain(secret);
  });

  it('tags a signed answer with its app too', async () => {
    const res = await sys.request(`/graph/${key}/45fffba6e0a6f3dfc657e4f4e15ea597/crop${search}`);
    expect(res.headers.get('cache-tag')).toMatch(new RegExp(`^imgflo,imgflo:graph:crop,imgflo:input:[0-9a-f]{32},imgflo:app:${key}$`));
  });

  it('refuses v1 tokens when IMGFLO_LEGACY_TOKENS=0', async () => {
    const strict = await inProcessSystem({ bindings: { IMGFLO_API_KEY: key, IMGFLO_API_SECRET: secret, IMGFLO_LEGACY_TOKENS: '0' } });
    expect((await strict.request(`/graph/${key}/45fffba6e0a6f3dfc657e4f4e15ea597/crop${search}`)).status).toBe(403);
    expect((await strict.request(`/graph/${key}/xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE/crop${search}`)).status).toBe(301);
  });

  it('lets only admin keys use _nocache, and then reprocesses', async () => {
    const q = `${search}&_nocache=true`;
    expect((await sys.request(`/graph/${key}/${await tokenV2(secret, 'crop', q)}/crop${q}`)).status).toBe(403);
    await sys.request(`/graph/${key}/${await tokenV2(secret, 'crop', search)}/crop${search}`);
    expect(await sys.processed()).toBe(1);
    const admin = await sys.request(`/graph/niem4Hoodaku/${await tokenV2('reiL1ohqu1do', 'crop', q)}/crop${q}`);
    expect(admin.status).toBe(301);
    expect(await sys.processed()).toBe(2);
  });
});
