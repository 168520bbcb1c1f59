import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fetchHttp, fetchSource } from './fetch-http.ts';

let server: Server;
let base: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const hop = Number(u.searchParams.get('n') ?? 0);
    switch (u.pathname) {
      case '/ok':
        res.writeHead(200, { 'content-type': 'image/png' }).end(Buffer.from([1, 2, 3]));
        return;
      case '/versioned':
        // Its version is "v1"; it honours If-None-Match, and If-Modified-Since by its date.
        if (req.headers['if-none-match'] === '"v1"' || (!req.headers['if-none-match'] && req.headers['if-modified-since'] === 'Tue, 01 Dec 2026 10:00:00 GMT')) {
          res.writeHead(304, { etag: '"v1"' }).end();
          return;
        }
        res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 01 Dec 2026 10:00:00 GMT' }).end(Buffer.from([4, 5]));
        return;
      case '/redirect':
        res.writeHead(302, { location: hop > 0 ? `/redirect?n=${hop - 1}` : '/ok' }).end();
        return;
      case '/to-ftp':
        res.writeHead(302, { location: 'ftp://127.0.0.1/x' }).end();
        return;
      case '/declared-big':
        res.writeHead(200, { 'content-length': '5000' }).end(Buffer.alloc(5000));
        return;
      case '/streamed-big':
        res.writeHead(200);
        for (let i = 0; i < 10; i++) res.write(Buffer.alloc(1000));
        res.end();
        return;
      case '/ok-304':
        res.writeHead(304).end();
        return;
      case '/slow':
        setTimeout(() => res.writeHead(200).end('late'), 2000);
        return;
      default:
        res.writeHead(404).end('nope');
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const limits = { maxInputBytes: 4096, fetchTimeoutMs: 500, allowPrivate: true };
const get = (path: string) => fetchHttp(`${base}${path}`, limits, `${base}${path}`);

describe('fetching an http input', () => {
  it('gives the validators of a source, and asks conditionally with them: 304 is not modified', async () => {
    const url = `${base}/versioned`;
    const first = await fetchSource(url, limits, url);
    expect(first).toMatchObject({ modified: true, validators: { etag: '"v1"', lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' } });
    expect(first.modified && [...first.body]).toEqual([4, 5]);
    expect(await fetchSource(url, limits, url, { etag: '"v1"' })).toEqual({ modified: false });
    expect(await fetchSource(url, limits, url, { lastModified: 'Tue, 01 Dec 2026 10:00:00 GMT' })).toEqual({ modified: false });
    expect(await fetchSource(url, limits, url, { etag: '"v0"' })).toMatchObject({ modified: true });
    // A 304 nobody asked for is an error, as any status but 200.
    await expect(fetchHttp(`${base}/ok-304`, limits, 'x')).rejects.toMatchObject({ status: 504 });
  });

  it('returns the body of a 200', async () => {
    expect([...(await get('/ok'))]).toEqual([1, 2, 3]);
  });
  it('follows up to 3 redirects and no more', async () => {
    expect([...(await get('/redirect?n=2'))]).toEqual([1, 2, 3]);
    await expect(get('/redirect?n=3')).rejects.toMatchObject({ status: 504, reason: 'input-fetch-failed', message: expect.stringMatching(/too many redirects/) });
  });
  it('answers 504 naming the status for an HTTP error', async () => {
    await expect(get('/missing.jpg')).rejects.toMatchObject({ status: 504, message: expect.stringMatching(/missing\.jpg.*404/), extra: { input: `${base}/missing.jpg` } });
  });
  it('refuses a redirect to another scheme', async () => {
    await expect(get('/to-ftp')).rejects.toMatchObject({ status: 504, message: expect.stringMatching(/scheme ftp/) });
  });
  it('answers 413 for a body over the byte cap, declared or streamed', async () => {
    await expect(get('/declared-big')).rejects.toMatchObject({ status: 413, reason: 'input-too-large' });
    await expect(get('/streamed-big')).rejects.toMatchObject({ status: 413, reason: 'input-too-large' });
  });
  it('gives up at the total deadline with 504', async () => {
    await expect(get('/slow')).rejects.toMatchObject({ status: 504, message: expect.stringMatching(/timed out/) });
  });
  it('follows a redirect to another host only when that host is allowed', async () => {
    const { port } = new URL(base);
    const strict = { ...limits, allowedHosts: ['example.com'] };
    await expect(fetchHttp(`${base}/ok`, strict, 'x')).rejects.toMatchObject({ status: 504, message: expect.stringMatching(/host is not allowed/) });
    expect([...(await fetchHttp(`http://127.0.0.1:${port}/ok`, { ...limits, allowedHosts: ['127.0.0.1'] }, 'x'))]).toEqual([1, 2, 3]);
  });
  it('answers 504 when nothing listens', async () => {
    await expect(fetchHttp('http://127.0.0.1:9/x.jpg', limits, 'http://127.0.0.1:9/x.jpg')).rejects.toMatchObject({ status: 504, message: expect.stringMatching(/connection failed/) });
  });
});
