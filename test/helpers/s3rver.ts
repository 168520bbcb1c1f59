/** Starts s3rver (an S3-compatible server from npm) on loopback, for tests and local runs. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from 's3rver';

export async function startS3rver(port: number, buckets: string[]): Promise<{ endpoint: string; close(): Promise<void> }> {
  const server = new S3rver({
    address: '127.0.0.1',
    port,
    silent: true,
    directory: mkdtempSync(join(tmpdir(), 'imgflo-s3-')),
    configureBuckets: buckets.map((name) => ({ name, configs: [] })),
  });
  const { address, port: actual } = await server.run();
  return { endpoint: `http://${address}:${actual}`, close: () => server.close() };
}
