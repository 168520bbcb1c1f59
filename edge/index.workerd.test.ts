import { exports } from 'cloudflare:workers';
import { describe, expect, it, vi } from 'vitest';
import worker from './index.ts';

describe('the Workers entry in workerd', () => {
  it('answers /version from its bindings', async () => {
    const res = await exports.default.fetch('http://edge.test/version');
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ name: 'imgflo', commit: 'workerd-test' });
  });

  it('serves the catalogue built from the embedded graph files', async () => {
    const res = await exports.default.fetch('http://edge.test/graphs');
    const { graphs } = (await res.json()) as { graphs: Record<string, unknown> };
    expect(Object.keys(graphs)).toEqual(expect.arrayContaining(['crop', 'gaussianblur', 'noop', 'passthrough']));
  });

  it('serves the example files through the assets binding', async () => {
    const res = await exports.default.fetch('http://edge.test/files/gridbear.jpg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    expect((await res.arrayBuffer()).byteLength).toBe(14969);
  });

  it('validates the request before any backend is needed', async () => {
    const res = await exports.default.fetch('http://edge.test/graph/crop?input=files%2Fgridbear.jpg&skeke=1');
    expect(res.status).toBe(449);
    expect(await res.json()).toMatchObject({ reason: 'unknown-parameter', unknown: ['skeke'] });
  });

  it('resolves video URLs before any backend: .mp4 of an image graph, t only for an image output, no .mp4 for a canvas', async () => {
    const graphs = ((await (await exports.default.fetch('http://edge.test/graphs')).json()) as { graphs: Record<string, { formats: string[]; inports: Record<string, unknown> }> }).graphs;
    expect(graphs.customgrey!.formats).toContain('mp4');
    expect(graphs.customgrey!.inports).toHaveProperty('t');
    expect(graphs.canvas!.formats).not.toContain('mp4');
    const canvas = await exports.default.fetch('http://edge.test/graph/canvas.mp4');
    expect([canvas.status, ((await canvas.json()) as { reason: string }).reason]).toEqual([449, 'unsupported-type']);
    const t = await exports.default.fetch('http://edge.test/graph/customgrey.mp4?input=files%2Fvideo-3dpmic.mp4&t=1');
    expect([t.status, ((await t.json()) as { reason: string }).reason]).toEqual([422, 'invalid-parameter']);
    const video = await exports.default.fetch('http://edge.test/files/video-3dpmic.mp4');
    expect([video.status, (await video.arrayBuffer()).byteLength]).toEqual([200, 1_482_520]);
  });

  it('answers CORS on /graphs and processing URLs, errors included, and checks dpr against the size limit', async () => {
    const origin = { headers: { Origin: 'https://site.example' } };
    expect((await exports.default.fetch('http://edge.test/graphs', origin)).headers.get('access-control-allow-origin')).toBe('*');
    const res = await exports.default.fetch('http://edge.test/graph/passthrough?input=files%2Fgridbear.jpg&width=4000&height=4000&dpr=4', origin);
    expect(res.status).toBe(422);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(await res.json()).toMatchObject({ reason: 'size-limit' });
    const long = await exports.default.fetch(`http://edge.test/graph/crop?input=files%2Fgridbear.jpg&x=${'1'.repeat(9000)}`, origin);
    expect([long.status, long.headers.get('access-control-allow-origin')]).toEqual([414, '*']);
  });

  it('sees dot segments resolved before the Worker runs, as every URL parser resolves them: /graph/%2e%2e is /', async () => {
    // workerd (and Cloudflare's URL normalisation) hand the Worker the resolved URL: the page at
    // `/`, public anyway, is the only thing `/graph/..` can reach; no graph is ever named `..`.
    const dots = await exports.default.fetch('http://edge.test/graph/%2e%2e');
    const root = await exports.default.fetch('http://edge.test/');
    expect([dots.status, dots.headers.get('content-type'), await dots.text()]).toEqual([root.status, root.headers.get('content-type'), await root.text()]);
    const graphs = await exports.default.fetch('http://edge.test/graph/crop/%2e%2e/%2e%2e/graphs');
    expect([graphs.status, Object.keys(((await graphs.json()) as { graphs: object }).graphs)]).toEqual([200, expect.arrayContaining(['crop'])]);
  });

  it('embeds the presets: /graphs lists them, and an unknown one is refused at the edge', async () => {
    const { graphs } = (await (await exports.default.fetch('http://edge.test/graphs')).json()) as { graphs: Record<string, { presets: Record<string, unknown> }> };
    expect(Object.keys(graphs.passthrough!.presets)).toEqual(expect.arrayContaining(['thumbnail', 'hero']));
    const res = await exports.default.fetch('http://edge.test/graph/passthrough?input=files%2Fgridbear.jpg&preset=nope');
    expect(res.status).toBe(422);
    expect(await res.json()).toMatchObject({ reason: 'invalid-parameter', parameter: 'preset' });
  });

  it('checks a fallback input at the edge, under the rules of input', async () => {
    for (const bad of ['ftp%3A%2F%2Fx.example%2Fa.jpg', 'graph%2Fcrop%3Finput%3Dfiles%252Fa.jpg']) {
      const res = await exports.default.fetch(`http://edge.test/graph/passthrough?input=files%2Fgridbear.jpg&fallback=${bad}`);
      expect(res.status).toBe(422);
      expect(await res.json()).toMatchObject({ reason: 'invalid-parameter', parameter: 'fallback' });
    }
  });

  it('routes /info: its parameters checked at the edge, CORS on, a HEAD miss answered without any backend', async () => {
    const origin = { headers: { Origin: 'https://site.example' } };
    const unknown = await exports.default.fetch('http://edge.test/info?input=files%2Fgridbear.jpg&width=10', origin);
    expect(unknown.status).toBe(449);
    expect(unknown.headers.get('access-control-allow-origin')).toBe('*');
    expect(await unknown.json()).toMatchObject({ reason: 'unknown-parameter', unknown: ['width'] });
    expect((await exports.default.fetch('http://edge.test/info')).status).toBe(422);
    const head = await exports.default.fetch('http://edge.test/info?input=files%2Fgridbear.jpg', { method: 'HEAD' });
    expect(head.status).toBe(404);
    expect((await exports.default.fetch('http://edge.test/info/a/b/c?input=files%2Fgridbear.jpg')).status).toBe(404);
  });

  it('checks watermark\'s overlay at the edge under the rules of input, and lists it as an image', async () => {
    const { graphs } = (await (await exports.default.fetch('http://edge.test/graphs')).json()) as { graphs: Record<string, { inports: Record<string, { type: string }> }> };
    expect(graphs.watermark!.inports.overlay!.type).toBe('image');
    const at = (query: string) => exports.default.fetch(`http://edge.test/graph/watermark.png?input=files%2Fmountains.png${query}`);
    const missing = await at('');
    expect([missing.status, await missing.json()]).toEqual([422, expect.objectContaining({ reason: 'invalid-parameter', parameter: 'overlay' })]);
    const ftp = await at('&overlay=ftp%3A%2F%2Fx.example%2Fa.png');
    expect([ftp.status, await ftp.json()]).toEqual([504, expect.objectContaining({ reason: 'input-fetch-failed' })]);
    const deep = ['crop', 'crop', 'crop', 'crop'].reduce((inner, g) => `graph/${g}?input=${encodeURIComponent(inner)}`, 'files/gridbear.jpg');
    expect((await at(`&overlay=${encodeURIComponent(deep)}`)).status).toBe(422);
  });

  it('answers 500 without details when a binding is invalid, and logs which ones', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await worker.fetch(new Request('http://edge.test/version'), { IMGFLO_BRIDGE_URL: 'not a url' }, {});
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: string; reason: string };
    expect(body.reason).toBe('internal');
    expect(body.error).not.toMatch(/IMGFLO_|UPSTASH_/);
    const line = logged.mock.calls.map((c) => String(c[0])).join('\n');
    expect(line).toMatch(/IMGFLO_BRIDGE_URL/);
    expect(line).toMatch(/UPSTASH_REDIS_REST_URL/);
    logged.mockRestore();
  });
});

describe('presigning in workerd', () => {
  it('makes a SigV4 presigned GET URL with the AWS SDK', async () => {
    const { s3Presigner } = await import('./presign.ts');
    const presign = s3Presigner({ endpoint: 'https://acc.r2.cloudflarestorage.com', region: 'auto', bucket: 'results', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', forcePathStyle: true, expiresSeconds: 900 });
    const url = new URL(await presign('p/abc.jpg'));
    expect(url.origin + url.pathname).toBe('https://acc.r2.cloudflarestorage.com/results/p/abc.jpg');
    expect(url.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('900');
    expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^AKIDEXAMPLE\/\d{8}\/auto\/s3\/aws4_request$/);
  });
});
