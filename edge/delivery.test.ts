/** Delivery at the edge: presets, dpr, fallback inputs, CORS. */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { makeApp } from '../shared/contracts/app-registry.contract.ts';
import { MemoryAppRegistry } from '../shared/memory/app-registry.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { tokenV2 } from '../shared/tokens.ts';
import { createInputReader } from '../worker/inputs/read-input.ts';
import { inProcessSystem, ROOT } from '../test/helpers/in-process.ts';

type System = Awaited<ReturnType<typeof inProcessSystem>>;
const objectKeyOf = (location: string) => location.replace('https://img.example.com/', '');

describe('presets', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await inProcessSystem();
  });

  it('processes preset=<name> as its parameters, explicit ones overriding, with the same cache entry as the parameters themselves', async () => {
    const res = await sys.request('/graph/passthrough.webp?input=files%2Fgridbear.jpg&preset=thumbnail');
    expect(res.status).toBe(301);
    const meta = await sharp((await sys.store.get(objectKeyOf(res.headers.get('location')!)))!.body).metadata();
    expect([meta.format, meta.width]).toEqual(['webp', 320]);
    const spelled = await sys.request('/graph/passthrough.webp?input=files%2Fgridbear.jpg&width=320&quality=75', { method: 'HEAD' });
    expect(spelled.headers.get('location')).toBe(res.headers.get('location'));
    const overridden = await sys.request('/graph/passthrough.webp?input=files%2Fgridbear.jpg&preset=thumbnail&width=100');
    const small = await sharp((await sys.store.get(objectKeyOf(overridden.headers.get('location')!)))!.body).metadata();
    expect(small.width).toBe(100);
  });

  it('answers 422 for an unknown preset, naming the graph\'s presets, before any job', async () => {
    const before = await sys.published();
    const res = await sys.request('/graph/gradientmap?input=files%2Fgridbear.jpg&preset=vivid');
    expect(res.status).toBe(422);
    const body = (await res.json()) as { parameter: string; error: string };
    expect(body.parameter).toBe('preset');
    expect(body.error).toContain('duotone-blue, noir, sepia');
    expect(await sys.published()).toBe(before);
  });

  it('lists each graph\'s presets in /graphs', async () => {
    const { graphs } = (await (await sys.request('/graphs')).json()) as { graphs: Record<string, { presets: Record<string, { params: object }> }> };
    expect(graphs.gradientmap!.presets.sepia!.params).toMatchObject({ color1: '#2b1a0c' });
    expect(graphs.crop!.presets).toEqual({});
  });
});

describe('dpr', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await inProcessSystem();
  });

  it('width=300&dpr=2 gives a 600-px-wide result, the same cache entry as width=600', async () => {
    const res = await sys.request('/graph/passthrough.png?input=files%2Fgridbear.jpg&width=300&dpr=2');
    expect(res.status).toBe(301);
    const stored = await sys.store.get(objectKeyOf(res.headers.get('location')!));
    expect((await sharp(stored!.body).metadata()).width).toBe(600);
    const same = await sys.request('/graph/passthrough.png?input=files%2Fgridbear.jpg&width=600', { method: 'HEAD' });
    expect([same.status, same.headers.get('location')]).toEqual([301, res.headers.get('location')]);
  });

  it('refuses a dpr that would take the size over the limit, before any job', async () => {
    const before = await sys.published();
    const res = await sys.request('/graph/passthrough?input=files%2Fgridbear.jpg&width=4000&height=4000&dpr=4');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ reason: 'size-limit' });
    expect(await sys.published()).toBe(before);
  });

  it('is listed in /graphs for processing graphs', async () => {
    const { graphs } = (await (await sys.request('/graphs')).json()) as { graphs: Record<string, { inports: Record<string, unknown> }> };
    expect(graphs.passthrough!.inports.dpr).toMatchObject({ type: 'number', default: 1, minimum: 1, maximum: 4 });
    expect(graphs.noop!.inports.dpr).toBeUndefined();
  });
});

describe('fallback', () => {
  let sys: System;
  beforeAll(async () => {
    sys = await inProcessSystem();
  });
  const missing = 'input=files%2F__missing__.jpg';

  it('answers a missing input with a 302 to the same processing of the fallback, naming the error', async () => {
    const res = await sys.request(`/graph/passthrough.png?${missing}&width=40&fallback=files%2Fgridbear.jpg`);
    expect(res.status).toBe(302);
    expect(res.headers.get('x-imgflo-error')).toBe('input-fetch-failed');
    expect(res.headers.get('cache-control')).toBe('public, max-age=60');
    const stored = await sys.store.get(objectKeyOf(res.headers.get('location')!));
    const meta = await sharp(stored!.body).metadata();
    expect([meta.format, meta.width]).toEqual(['png', 40]);
    // The same processing of the fallback, the same result.
    const direct = await sys.request('/graph/passthrough.png?input=files%2Fgridbear.jpg&width=40', { method: 'HEAD' });
    expect([direct.status, direct.headers.get('location')]).toEqual([301, res.headers.get('location')]);
    // The failure is still logged, and remembered: the next request answers the same without a new fetch.
    expect(sys.logs.some((l) => l.msg === 'input failed; answering the fallback' && l.reason === 'input-fetch-failed')).toBe(true);
    const again = await sys.request(`/graph/passthrough.png?${missing}&width=40&fallback=files%2Fgridbear.jpg`);
    expect([again.status, again.headers.get('location')]).toEqual([302, res.headers.get('location')]);
  });

  it('counts a request answered by its fallback once against the rate limit', async () => {
    const asked: string[] = [];
    const limited = await inProcessSystem({ rateLimit: async (who) => (asked.push(who), { ok: true, retryAfterSeconds: 0 }) });
    const res = await limited.request(`/graph/passthrough.png?${missing}&width=41&fallback=files%2Fgridbear.jpg`);
    expect(res.status).toBe(302);
    expect(asked).toHaveLength(1);
  });

  it('answers an input that cannot be decoded the same way', async () => {
    // files/junk.jpg holds bytes that are no image; every other input is read as ever.
    const reader = createInputReader({ examplesDir: `${ROOT}examples`, maxInputBytes: 1e7, fetchTimeoutMs: 5000 });
    const junky = await inProcessSystem({ readInput: async (input, seen) => (input === 'files/junk.jpg' ? Buffer.from('not an image at all') : reader(input, seen)) });
    const plain = await junky.request('/graph/passthrough.jpg?input=files%2Fjunk.jpg');
    expect(plain.status).toBe(415);
    const res = await junky.request('/graph/passthrough.jpg?input=files%2Fjunk.jpg&fallback=files%2Fgridbear.jpg');
    expect([res.status, res.headers.get('x-imgflo-error')]).toEqual([302, 'unsupported-input']);
  });

  it('keeps the input error when there is no fallback, when the fallback fails too, and for errors that are not the input\'s', async () => {
    expect((await sys.request(`/graph/passthrough?${missing}`)).status).toBe(504);
    const both = await sys.request(`/graph/passthrough?${missing}&fallback=files%2F__also_missing__.jpg`);
    expect(both.status).toBe(504);
    expect(await both.json()).toMatchObject({ reason: 'input-fetch-failed', input: 'files/__missing__.jpg' });
    const tooBig = await sys.request('/graph/passthrough?input=files%2Fgridbear.jpg&width=30000&height=1000&fallback=files%2Fgridbear.jpg');
    expect(tooBig.status).toBe(422);
  });

  it('refuses a fallback that is not files/<name> or an http(s) URL, and on a graph without input', async () => {
    for (const bad of ['ftp%3A%2F%2Fx.example%2Fa.jpg', 'graph%2Fcrop%3Finput%3Dfiles%252Fa.jpg', 'x'.repeat(5000)]) {
      const res = await sys.request(`/graph/passthrough?input=files%2Fgridbear.jpg&fallback=${bad}`);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ reason: 'invalid-parameter', parameter: 'fallback' });
    }
    expect((await sys.request('/graph/canvas?fallback=files%2Fgridbear.jpg')).status).toBe(422);
  });

  it('takes the app\'s default fallback from the registry, and a URL\'s own over it', async () => {
    const registry = new MemoryAppRegistry(new MemoryKv());
    await registry.put(makeApp({ key: 'site', secrets: ['s3cret'], fallback: 'files/gridbear.jpg' }));
    const signed = await inProcessSystem({ bindings: { IMGFLO_REQUIRE_AUTH: '1' }, findApp: (key) => registry.get(key) });
    const at = async (search: string) => signed.request(`/graph/site/${await tokenV2('s3cret', 'passthrough.png', search)}/passthrough.png${search}`);
    const res = await at(`?${missing}&width=30`);
    expect([res.status, res.headers.get('x-imgflo-error')]).toEqual([302, 'input-fetch-failed']);
    expect((await sharp((await signed.store.get(objectKeyOf(res.headers.get('location')!)))!.body).metadata()).width).toBe(30);
    const own = await at(`?${missing}&width=30&fallback=files%2Fmountains.png`);
    expect(own.status).toBe(302);
    expect(own.headers.get('location')).not.toBe(res.headers.get('location'));
  });
});

describe('CORS', () => {
  it('allows any origin by default on /graphs and processing URLs, errors and redirects included', async () => {
    const sys = await inProcessSystem();
    const origin = { headers: { Origin: 'https://site.example' } };
    for (const path of ['/graphs', '/graphs/crop', '/graph/crop?input=files%2Fgridbear.jpg', '/graph/crop?input=files%2Fgridbear.jpg&nope=1']) {
      const res = await sys.request(path, origin);
      expect([path, res.headers.get('access-control-allow-origin')]).toEqual([path, '*']);
      expect(res.headers.get('access-control-expose-headers')).toContain('X-Imgflo-Error');
    }
    const preflight = await sys.request('/graph/crop?input=files%2Fgridbear.jpg', {
      method: 'OPTIONS',
      headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST');
    // A 414, from GET or a preflight: a page can read it.
    const long = `/graph/crop?input=files%2Fgridbear.jpg&x=${'1'.repeat(9000)}`;
    const tooLong = await sys.request(long, origin);
    expect([tooLong.status, tooLong.headers.get('access-control-allow-origin')]).toEqual([414, '*']);
    const longPreflight = await sys.request(long, { method: 'OPTIONS', headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'GET' } });
    expect(longPreflight.headers.get('access-control-allow-origin')).toBe('*');
    // A preflight allows the headers the service reads, never an echo of what was asked.
    const asking = await sys.request('/graph/crop?input=files%2Fgridbear.jpg', {
      method: 'OPTIONS',
      headers: { Origin: 'https://site.example', 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-evil, authorization' },
    });
    expect(asking.headers.get('access-control-allow-headers')).toBe('Accept,Content-Type,X-Request-Id');
    // Not on the other routes: /version, the page.
    expect((await sys.request('/version', origin)).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers only the configured origins, with Vary: Origin, and none at all with `none`', async () => {
    const sys = await inProcessSystem({ bindings: { IMGFLO_CORS_ORIGINS: 'https://a.example,https://b.example' } });
    const from = (o: string) => sys.request('/graphs', { headers: { Origin: o } });
    expect((await from('https://b.example')).headers.get('access-control-allow-origin')).toBe('https://b.example');
    const other = await from('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toContain('Origin');
    // Every answer's Vary names Origin once, an error's too.
    for (const path of ['/graphs', '/graphs/crop', '/info?input=files%2Fgridbear.jpg', '/graph/crop?input=files%2Fgridbear.jpg&nope=1', `/graph/crop?x=${'1'.repeat(9000)}`, '/graph/nope']) {
      const failed = await sys.request(path, { headers: { Origin: 'https://a.example' }, method: path.startsWith('/info') ? 'HEAD' : 'GET' });
      expect([path, failed.headers.get('vary'), failed.headers.get('access-control-allow-origin')]).toEqual([path, 'Origin', 'https://a.example']);
    }
    // An `auto` URL varies by Accept too: both are named, each once.
    const auto = await sys.request('/graph/crop.auto?input=files%2Fgridbear.jpg', { headers: { Origin: 'https://a.example', Accept: 'image/webp' }, redirect: 'manual' } as RequestInit);
    expect(auto.headers.get('vary')?.split(/,\s*/).sort()).toEqual(['Accept', 'Origin']);
    const off = await inProcessSystem({ bindings: { IMGFLO_CORS_ORIGINS: 'none' } });
    expect((await off.request('/graphs', { headers: { Origin: 'https://a.example' } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses a malformed origin list at start, naming the setting', async () => {
    await expect(inProcessSystem({ bindings: { IMGFLO_CORS_ORIGINS: 'a.example; b' } })).rejects.toThrow(/IMGFLO_CORS_ORIGINS/);
  });
});
