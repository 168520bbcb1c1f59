import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from './address-policy.ts';
import { fetchHttp, type FetchLimits } from './fetch-http.ts';

/** A canary on loopback: with the default settings nothing may ever reach it. */
let canary: Server;
let canaryHits = 0;
let redirectorHits = 0;
let canaryPort = 0;
/** A redirector on another loopback address, the one private address the test allows. */
let redirector: Server;
let redirectorOrigin = '';
const REDIRECTOR_ADDRESS = '127.0.0.2';

beforeAll(async () => {
  canary = createServer((_req, res) => {
    canaryHits++;
    res.writeHead(200, { 'content-type': 'image/png' }).end('secret');
  });
  await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
  canaryPort = (canary.address() as { port: number }).port;
  redirector = createServer((req, res) => {
    redirectorHits++;
    const to = new URL(req.url!, 'http://x').searchParams.get('to')!;
    res.writeHead(302, { location: to }).end();
  });
  await new Promise<void>((r) => redirector.listen(0, REDIRECTOR_ADDRESS, r));
  redirectorOrigin = `http://${REDIRECTOR_ADDRESS}:${(redirector.address() as { port: number }).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => canary.close(() => r()));
  await new Promise<void>((r) => redirector.close(() => r()));
});

const defaults = (): FetchLimits => ({
  maxInputBytes: 1e6,
  fetchTimeoutMs: 2000,
  addressAllowed: (a) => a === REDIRECTOR_ADDRESS || isPublicAddress(a),
});

describe('the address policy', () => {
  it.each([
    '127.0.0.1', '127.255.0.1', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.0.1', '169.254.169.254', '100.64.0.1',
    '0.0.0.0', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '::ffff:127.0.0.1',
    '::ffff:10.0.0.1', '64:ff9b::7f00:1', '2002:7f00:1::', '2001::1', 'not an address',
    '::127.0.0.1', '::7f00:1', '::10.0.0.1', '::169.254.169.254', '::ffff:0:127.0.0.1', '::ffff:0:a00:1', '64:ff9b::a00:1',
    '64:ff9b:1::808:808', '2002:a00:1::1', '2002:a9fe:a9fe::', '::0.0.0.1',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });
  it.each(['8.8.8.8', '1.1.1.1', '2606:4700::1111', '::ffff:8.8.8.8', '::8.8.8.8', '64:ff9b::808:808', '2002:808:808::1'])('allows the public address %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('fetching with the default settings never reaches a private address', () => {
  const spellings = () => [
    `http://127.0.0.1:${canaryPort}/x.png`,
    `http://localhost:${canaryPort}/x.png`,
    `http://LOCALHOST.:${canaryPort}/x.png`,
    `http://[::1]:${canaryPort}/x.png`,
    `http://[::ffff:127.0.0.1]:${canaryPort}/x.png`,
    `http://[::ffff:7f00:1]:${canaryPort}/x.png`,
    `http://2130706433:${canaryPort}/x.png`,
    `http://0x7f000001:${canaryPort}/x.png`,
    `http://0177.0.0.1:${canaryPort}/x.png`,
    `http://0x7f.1:${canaryPort}/x.png`,
    `http://127.1:${canaryPort}/x.png`,
    `http://0.0.0.0:${canaryPort}/x.png`,
    `http://0:${canaryPort}/x.png`,
    'http://169.254.169.254/latest/meta-data/',
    'http://[fd00:ec2::254]/latest/meta-data/',
    'http://10.0.0.1/x.png',
    'http://192.168.1.1/x.png',
    'http://172.16.0.1/x.png',
    'http://100.64.0.1/x.png',
    'http://[fe80::1]/x.png',
    'http://224.0.0.1/x.png',
    `http://[64:ff9b::7f00:1]:${canaryPort}/x.png`,
    `http://[::127.0.0.1]:${canaryPort}/x.png`,
    `http://[::7f00:1]:${canaryPort}/x.png`,
    `http://[::ffff:0:127.0.0.1]:${canaryPort}/x.png`,
    `http://[2002:7f00:1::]:${canaryPort}/x.png`,
    `http://user:pass@127.0.0.1:${canaryPort}/x.png`,
  ];

  it('refuses every spelling of a private address with 504', async () => {
    for (const url of spellings()) {
      await expect(fetchHttp(url, defaults(), url), url).rejects.toMatchObject({ status: 504, reason: 'input-fetch-failed' });
    }
    expect(canaryHits).toBe(0);
  });

  it('refuses the same addresses behind a redirect from an allowed host', async () => {
    for (const target of spellings().slice(0, 13)) {
      const url = `${redirectorOrigin}/r?to=${encodeURIComponent(target)}`;
      await expect(fetchHttp(url, defaults(), url), target).rejects.toMatchObject({ status: 504, message: expect.stringMatching(/not allowed|connection failed/) });
    }
    expect(canaryHits).toBe(0);
    expect(redirectorHits).toBe(13);
  });

  it('refuses non-http schemes, directly and behind a redirect', async () => {
    for (const target of ['file:///etc/passwd', 'ftp://127.0.0.1/x', 'gopher://127.0.0.1:70/x', 'data:image/png;base64,AAAA']) {
      await expect(fetchHttp(target, defaults(), target)).rejects.toMatchObject({ status: 504 });
      const url = `${redirectorOrigin}/r?to=${encodeURIComponent(target)}`;
      await expect(fetchHttp(url, defaults(), url)).rejects.toMatchObject({ status: 504 });
    }
    expect(canaryHits).toBe(0);
  });

  it('reaches the canary only when private inputs are allowed (development)', async () => {
    const body = await fetchHttp(`http://127.0.0.1:${canaryPort}/x.png`, { ...defaults(), allowPrivate: true }, 'x');
    expect(Buffer.from(body).toString()).toBe('secret');
    expect(canaryHits).toBe(1);
  });
});
