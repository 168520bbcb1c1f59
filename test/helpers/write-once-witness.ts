/**
 * A witness in front of the S3 server of the end-to-end tests: an HTTP proxy that passes every
 * request through unchanged (its signature too: the Host header is kept) and remembers the
 * digest of every result object at its first write. A result written again with other bytes is
 * a conflict; the tests ask for them after each test (test/setup/write-once.ts).
 */
import { createHash } from 'node:crypto';
import { createServer, request, type Server } from 'node:http';

/** A result's object key ends `<cache key>/<digest>[.<ext>]` (shared/cache-key.ts); a retirement marker is not one. */
const isResult = (path: string) => /\/[0-9a-f]{40}\/[0-9a-f]{16}(\.[a-z0-9]+)?$/.test(path) && !path.includes('/retired/');

export interface Conflict {
  path: string;
  first: string;
  now: string;
}

export interface Witness {
  url: string;
  close(): Promise<void>;
}

export async function startWitness(target: string): Promise<Witness> {
  const to = new URL(target);
  const digests = new Map<string, string>();
  const conflicts: Conflict[] = [];
  let writes = 0;

  const server: Server = createServer((req, res) => {
    if (req.url?.startsWith('/__witness/conflicts')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ writes, conflicts }));
      return;
    }
    const path = (req.url ?? '/').split('?')[0]!;
    const hash = req.method === 'PUT' && isResult(path) ? createHash('sha256') : null;
    const upstream = request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      answer.on('end', () => {
        const status = answer.statusCode ?? 0;
        if (!hash || status < 200 || status >= 300) return;
        writes++;
        const digest = hash.digest('hex');
        const first = digests.get(path);
        if (first === undefined) digests.set(path, digest);
        else if (first !== digest) conflicts.push({ path, first, now: digest });
      });
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // A request the S3 server leaves unanswered fails (502) rather than hanging its test.
    upstream.setTimeout(30_000, () => upstream.destroy(new Error('no answer from the S3 server')));
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502).end();
      else res.destroy();
    });
    req.on('data', (chunk: Buffer) => hash?.update(chunk));
    req.pipe(upstream);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
