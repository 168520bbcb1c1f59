/**
 * Starts s3rver (an S3-compatible server from npm) on loopback, for tests and local runs. s3rver
 * ignores `If-None-Match` on PUT; with `conditionalWrites` it honours `If-None-Match: *` as S3,
 * R2 and MinIO do (412 when the key is taken), checked in its own store before its PUT runs.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export async function startS3rver(port: number, buckets: string[], o: { conditionalWrites?: boolean } = {}): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'imgflo-s3-')),
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  if (o.conditionalWrites) honourIfNoneMatch(server);
  const { address, port: actual } = await server.run();
  return { endpoint: `http://${address}:${actual}`, close: () => server.close() };
}

/** PUT with `If-None-Match: *` answers 412 when the object exists (path-style addresses); one PUT of a key at a time. */
function honourIfNoneMatch(server: S3rver): void {
  const writing = new Set<string>();
  server.middleware.unshift(async (ctx, next) => {
    if (ctx.method !== 'PUT' || ctx.get('if-none-match') !== '*') return next();
    const [bucket = '', ...key] = ctx.path.slice(1).split('/').map(decodeURIComponent);
    const name = `${bucket}/${key.join('/')}`;
    // Taken before the first await: a concurrent PUT of the key sees it at once.
    const taken = writing.has(name);
    if (!taken) writing.add(name);
    try {
      if (taken || (await ctx.app.store.existsObject(bucket, key.join('/')))) {
        ctx.req.resume();
        ctx.status = 412;
        ctx.type = 'application/xml';
        ctx.body = '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>PreconditionFailed</Code><Message>At least one of the pre-conditions you specified did not hold</Message></Error>';
        return;
      }
      await next();
    } finally {
      if (!taken) writing.delete(name);
    }
  });
}
