/**
 * The hostile-input corpus. URL and address cases go through the real stack with its default
 * settings (private inputs refused), with a canary on loopback that must never be reached;
 * content and token cases go through the in-process system with inputs served from loopback.
 * Every case gets its documented status and a JSON body, never a 500, and the service still
 * serves a normal request afterwards.
 */
import { createServer, type Server } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { tokenV1, tokenV2 } from '../shared/tokens.ts';
import { createInputReader } from '../worker/inputs/read-input.ts';
import { bombPng } from './helpers/crafted.ts';
import { inProcessSystem } from './helpers/in-process.ts';
import { startTestStack } from './helpers/stack.ts';

let canary: Server;
let canaryHits = 0;
let C = 0; // the canary's port
let fixtures: Server;
let F = ''; // the fixtures' origin
const fixtureBodies: Record<string, Buffer> = {};

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.writeHead(200, { 'content-type': 'image/png' }).end('canary');
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  C = (canary.address() as { port: number }).port;

  const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#3a7' } }).jpeg().toBuffer();
  Object.assign(fixtureBodies, {
    '/ok.jpg': jpeg,
    '/truncated.jpg': jpeg.subarray(0, Math.floor(jpeg.length / 2)),
    '/not-an-image.jpg': Buffer.from('<html><script>alert(1)</script></html>'),
    '/bomb.png': bombPng(100_000, 100_000),
    '/frames.gif': await sharp(
      // Each frame differs from the one before (a white dot that moves), so none is merged away.
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
            .composite([{ input: { create: { width: 1, height: 1, channels: 3, background: '#fff' } }, left: i % 8, top: (i >> 3) % 8 }])
            .png()
            .toBuffer(),
        ),
      ),
      { join: { animated: true } },
    ).gif().toBuffer(),
    '/external.svg': Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10"><image xlink:href="http://127.0.0.1:${C}/x.png" width="10" height="10"/></svg>`),
    '/entity.svg': Buffer.from('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><text>&x;</text></svg>'),
    '/inline.svg': Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10"><rect width="20" height="10" fill="#08f"/></svg>'),
    '/huge.jpg': Buffer.concat([jpeg, Buffer.alloc(3_000_000)]),
  });
  fixtures = createServer((req, res) => {
    const body = fixtureBodies[req.url!];
    if (req.url === '/to-canary') return void res.writeHead(302, { location: `http://127.0.0.1:${C}/x.png` }).end();
    if (!body) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(body);
  });
  await new Promise<void>((r) => fixtures.listen(0, '127.0.0.1', r));
  F = `http://127.0.0.1:${(fixtures.address() as { port: number }).port}`;
}, 60_000);
afterAll(async () => {
  await new Promise<void>((r) => canary.close(() => r()));
  await new Promise<void>((r) => fixtures.close(() => r()));
});

const enc = encodeURIComponent;

describe('hostile URLs and addresses, against the running service', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const cases: Array<[string, string, number, string]> = [
    ['bad percent-encoding', '/graph/crop?input=files%2Fgridbear.jpg&x=%E0%A4%A', 422, 'invalid-parameter'],
    ['an invalid escape', '/graph/crop?input=files%2Fgridbear.jpg&x=%zz', 422, 'invalid-parameter'],
    ['a duplicate parameter', '/graph/crop?input=files%2Fgridbear.jpg&x=1&x=2', 422, 'invalid-parameter'],
    ['a non-numeric value', '/graph/crop?input=files%2Fgridbear.jpg&x=ten', 422, 'invalid-parameter'],
    ['NaN', '/graph/crop?input=files%2Fgridbear.jpg&x=NaN', 422, 'invalid-parameter'],
    ['Infinity', '/graph/crop?input=files%2Fgridbear.jpg&x=Infinity', 422, 'invalid-parameter'],
    ['a hex number', '/graph/crop?input=files%2Fgridbear.jpg&x=0x10', 422, 'invalid-parameter'],
    ['an unknown enum value', '/graph/gaussianblur?input=files%2Fgridbear.jpg&abyss-policy=%3Cscript%3E', 422, 'invalid-parameter'],
    ['width=0', '/graph/passthrough?input=files%2Fgridbear.jpg&width=0', 422, 'invalid-parameter'],
    ['a negative width', '/graph/passthrough?input=files%2Fgridbear.jpg&width=-5', 422, 'invalid-parameter'],
    ['a fractional width', '/graph/passthrough?input=files%2Fgridbear.jpg&width=10.5', 422, 'invalid-parameter'],
    ['an oversized width×height', '/graph/passthrough?input=files%2Fgridbear.jpg&width=30000&height=1000', 422, 'size-limit'],
    ['a huge width alone', '/graph/passthrough?input=files%2Fgridbear.jpg&width=999999999999', 422, 'size-limit'],
    ['quality out of type', '/graph/passthrough?input=files%2Fgridbear.jpg&quality=high', 422, 'invalid-parameter'],
    ['an unknown parameter', '/graph/crop?input=files%2Fgridbear.jpg&__proto__=1', 449, 'unknown-parameter'],
    ['constructor as a parameter', '/graph/crop?input=files%2Fgridbear.jpg&constructor=1', 449, 'unknown-parameter'],
    ['an html output type', '/graph/noop.html?input=files%2Fgridbear.jpg', 449, 'unsupported-type'],
    ['an svg output type', '/graph/crop.svg?input=files%2Fgridbear.jpg', 449, 'unsupported-type'],
    ['an upper-case extension', '/graph/crop.PNG?input=files%2Fgridbear.jpg', 449, 'unsupported-type'],
    ['noop asked for another type', '/graph/noop.png?input=files%2Fgridbear.jpg', 415, 'unsupported-input'],
    ['an unknown graph', '/graph/evil?input=files%2Fgridbear.jpg', 404, 'unknown-graph'],
    ['traversal in the graph name', '/graph/..%2F..%2Fpackage?input=files%2Fgridbear.jpg', 404, 'not-found'],
    ['too many path segments', '/graph/a/b/c/crop', 404, 'not-found'],
    ['a trailing slash', '/graph/crop/', 404, 'not-found'],
    ['a missing input', '/graph/crop?x=1', 422, 'invalid-parameter'],
    ['a missing example file', '/graph/crop?input=files%2F..%2F..%2Fetc%2Fpasswd', 504, 'input-fetch-failed'],
    ['traversal on /files/', '/files/..%2F..%2Fpackage.json', 404, 'not-found'],
    ['dot segments on /files/', '/files/%2e%2e%2fwrangler.toml', 404, 'not-found'],
    ['a file: input', `/graph/crop?input=${enc('file:///etc/passwd')}`, 504, 'input-fetch-failed'],
    ['a gopher: input', `/graph/crop?input=${enc(`gopher://127.0.0.1:${0}/x`)}`, 504, 'input-fetch-failed'],
    ['a data: input', `/graph/crop?input=${enc('data:image/png;base64,iVBORw0KGgo=')}`, 504, 'input-fetch-failed'],
    ['a javascript: input', `/graph/crop?input=${enc('javascript:alert(1)')}`, 504, 'input-fetch-failed'],
    ['a bare word input', '/graph/crop?input=etc', 504, 'input-fetch-failed'],
    ['a HEAD miss', '/graph/crop.jpg?input=files%2Fgridbear.jpg&x=91', 404, 'not-cached'],
  ];
  const ADDRESS_CASES = 23;
  const addressCases = (): Array<[string, string]> => [
    ['loopback', `http://127.0.0.1:${C}/x.png`],
    ['localhost (DNS to loopback)', `http://localhost:${C}/x.png`],
    ['IPv6 loopback', `http://[::1]:${C}/x.png`],
    ['IPv4-mapped IPv6', `http://[::ffff:127.0.0.1]:${C}/x.png`],
    ['decimal IPv4', `http://2130706433:${C}/x.png`],
    ['hex IPv4', `http://0x7f000001:${C}/x.png`],
    ['octal IPv4', `http://0177.0.0.1:${C}/x.png`],
    ['short IPv4', `http://127.1:${C}/x.png`],
    ['unspecified', `http://0.0.0.0:${C}/x.png`],
    ['cloud metadata', 'http://169.254.169.254/latest/meta-data/'],
    ['RFC 1918', 'http://10.0.0.1/x.png'],
    ['CGNAT', 'http://100.64.0.1/x.png'],
    ['IPv6 unique-local', 'http://[fd00::1]/x.png'],
    ['IPv4-compatible IPv6 (::a.b.c.d)', `http://[::127.0.0.1]:${C}/x.png`],
    ['IPv4-compatible IPv6 in hex', `http://[::7f00:1]:${C}/x.png`],
    ['IPv4-translated IPv6', `http://[::ffff:0:127.0.0.1]:${C}/x.png`],
    ['IPv4-mapped IPv6 in hex', `http://[::ffff:7f00:1]:${C}/x.png`],
    ['NAT64 of loopback', `http://[64:ff9b::7f00:1]:${C}/x.png`],
    ['6to4 of loopback', `http://[2002:7f00:1::]:${C}/x.png`],
    ['IPv4-compatible metadata address', 'http://[::169.254.169.254]/latest/meta-data/'],
    ['IPv6 unspecified', `http://[::]:${C}/x.png`],
    ['IPv6 link-local', 'http://[fe80::1]/x.png'],
    ['a loopback redirector', `${F}/to-canary`],
  ];

  it.each(cases)('answers %s with its documented status', async (_what, path, status, reason) => {
    const res = await fetch(`${stack.edgeUrl}${path}`, { redirect: 'manual', method: reason === 'not-cached' ? 'HEAD' : 'GET' });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    if (reason !== 'not-cached') expect(await res.json()).toMatchObject({ code: status, reason });
  });

  it('answers an over-long URL with 414 JSON', async () => {
    const res = await fetch(`${stack.edgeUrl}/graph/crop?input=files%2Fgridbear.jpg&x=${'9'.repeat(20_000)}`, { redirect: 'manual' });
    expect(res.status).toBe(414);
    expect(await res.json()).toMatchObject({ code: 414, reason: 'query-too-long', limit: 8192 });
  });

  // The cases are built once the canary and fixtures listen: indices here, addresses then.
  it.each(Array.from({ length: ADDRESS_CASES }, (_, i) => i))('refuses private address spelling #%i with 504', async (i) => {
    const [what, input] = addressCases()[i]!;
    const res = await fetch(`${stack.edgeUrl}/graph/passthrough?input=${enc(input)}`, { redirect: 'manual' });
    expect(res.status, what).toBe(504);
    expect(await res.json(), what).toMatchObject({ code: 504, reason: 'input-fetch-failed', input: new URL(input).href });
  });

  it('never let anything reach the canary', () => {
    expect(addressCases()).toHaveLength(ADDRESS_CASES);
    expect(canaryHits).toBe(0);
  });

  it('answers path traversal on /cache/ with 404', async () => {
    for (const path of ['/cache/..%2F..%2Fetc%2Fpasswd', '/cache/results/..%2F..%2Fpackage.json', '/cache/%2e%2e/%2e%2e/package.json']) {
      const res = await fetch(`${stack.backendUrl}${path}`);
      expect(res.status, path).toBe(404);
      expect(await res.json()).toMatchObject({ reason: 'not-found' });
    }
  });

  it('still serves normal requests afterwards, and nothing crashed', async () => {
    const res = await fetch(`${stack.edgeUrl}/graph/crop.png?input=files%2Fgridbear.jpg&x=7`, { redirect: 'manual' });
    expect(res.status).toBe(301);
    expect(stack.output()).not.toMatch(/\"level\":50|Unhandled|uncaught/i);
  });
});

describe('hostile content and forged tokens, in process', () => {
  const secret = 'reeva9aijo1Ooj9w';
  const key = 'ooShei0queigeeke';
  let sys: Awaited<ReturnType<typeof inProcessSystem>>;
  beforeAll(async () => {
    sys = await inProcessSystem({
      bindings: { IMGFLO_API_KEY: key, IMGFLO_API_SECRET: secret, IMGFLO_ADMIN_KEY: 'other-key', IMGFLO_ADMIN_SECRET: 'other-secret' },
      readInput: createInputReader({ examplesDir: 'examples', maxInputBytes: 2_000_000, fetchTimeoutMs: 5000, allowPrivateInputs: true }),
    });
  });
  const sign = async (graphspec: string, search: string) => `/graph/${key}/${await tokenV2(secret, graphspec, search)}/${graphspec}${search}`;

  it.each([
    ['non-image bytes', '/not-an-image.jpg', 415, 'unsupported-input'],
    ['a truncated image', '/truncated.jpg', 415, 'unsupported-input'],
    ['a decompression bomb', '/bomb.png', 422, 'input-pixels'],
    ['a 300-frame animated GIF', '/frames.gif', 422, 'input-pixels'],
    ['an SVG with an external reference', '/external.svg', 415, 'unsupported-input'],
    ['an SVG with an entity', '/entity.svg', 415, 'unsupported-input'],
    ['an input over the byte cap', '/huge.jpg', 413, 'input-too-large'],
    ['an input that is not there', '/missing.jpg', 504, 'input-fetch-failed'],
  ])('answers %s with its documented status', async (_what, path, status, reason) => {
    const search = `?input=${enc(F + path)}`;
    const res = await sys.request(await sign('passthrough.png', search));
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ code: status, reason });
  });

  it('renders an SVG that stays inside itself', async () => {
    const res = await sys.request(await sign('passthrough.png', `?input=${enc(F + '/inline.svg')}`));
    expect(res.status).toBe(301);
  });

  const search = '?input=files%2Fgridbear.jpg&x=3';
  it.each([
    ['a token of the wrong length', async () => `/graph/${key}/${'a'.repeat(40)}/crop${search}`],
    ['an upper-case v1 token', async () => `/graph/${key}/${tokenV1(secret, 'crop', search).toUpperCase()}/crop${search}`],
    ['another key’s token', async () => `/graph/${key}/${await tokenV2('other-secret', 'crop', search)}/crop${search}`],
    ['a v2 token under another key', async () => `/graph/other-key/${await tokenV2(secret, 'crop', search)}/crop${search}`],
    ['a v1 formula in v2 form', async () => `/graph/${key}/${Buffer.from(tokenV1(secret, 'crop', search), 'hex').toString('base64url').padEnd(43, 'A')}/crop${search}`],
    ['a token for the graph without its extension', async () => `/graph/${key}/${await tokenV2(secret, 'crop', search)}/crop.png${search}`],
    ['an expired _exp', async () => `/graph/${key}/${await tokenV2(secret, 'crop', `${search}&_exp=1000000000`)}/crop${search}&_exp=1000000000`],
    ['an empty token segment', async () => `/graph/${key}/%20/crop${search}`],
  ])('refuses %s with 403', async (_what, url) => {
    const res = await sys.request(await url());
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ error: 'Forbidden', code: 403, reason: 'forbidden' });
  });

  it('still serves a properly signed request, and processed nothing it refused', async () => {
    expect((await sys.request(await sign('crop', search))).status).toBe(301);
    expect(sys.logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
