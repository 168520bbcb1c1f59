/**
 * What the benchmark and the profiler both start: the topology of a miss (the production bundle,
 * the bundled examples and a photo, s3rver, the distributed stack), and how they read memory.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { startDistributedStack, ROOT, type DistributedStack } from '../scripts/stack.ts';
import { amqpVhostUrl, freshRedisDb } from '../test/helpers/services.ts';
import { freePort } from '../test/helpers/stack.ts';

/** A photo-like 4000×3000 JPEG (blurred noise over a gradient), written to `dir/photo.jpg`. */
export async function makePhoto(dir: string): Promise<Buffer> {
  const noise = Buffer.alloc(400 * 300 * 3).map((_, i) => ((i * 2654435761) >>> 24) & 0xff);
  const base = await sharp(noise, { raw: { width: 400, height: 300, channels: 3 } }).resize(4000, 3000).blur(2).toBuffer();
  const photo = await sharp(base, { raw: { width: 4000, height: 3000, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
  writeFileSync(join(dir, 'photo.jpg'), photo);
  return photo;
}

/** Waits (up to 30 s) until `probe` resolves. */
export async function until(probe: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await probe().then(() => true, () => false)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('a benchmark process did not start');
}

/** s3rver in a process of its own, as S3 would be (its CPU is not the load generator's), with `bucket`; it honours conditional writes as S3 and R2 do (bench/s3-server.ts). */
export async function startS3rver(bucket: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/s3-server.ts'), String(port), bucket], { stdio: 'ignore', cwd: ROOT });
  const endpoint = `http://127.0.0.1:${port}`;
  await until(() => fetch(endpoint, { method: 'HEAD' }));
  return { child, endpoint };
}

/** The peak resident memory of a process so far (bytes). */
export function peakRss(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

export interface Topology {
  stack: DistributedStack;
  s3: ChildProcess;
  /** The examples' folder the worker reads `files/…` from (ipx serves it too). */
  examples: string;
  /** The 4000×3000 JPEG the miss path reads, as `files/photo.jpg`. */
  photo: Buffer;
}

/**
 * The real topology on this machine: the backend from its bundle (as its container runs it), the
 * examples and the photo, s3rver, one edge, one bridge and one worker on Redis and RabbitMQ.
 */
export async function startTopology(o: { prefix: string; edgeDevtools: boolean; concurrency: number; logHits: boolean; workerNodeArgs?: string[] }): Promise<Topology> {
  execFileSync('npm', ['run', '--silent', 'build:backend'], { cwd: ROOT, stdio: 'inherit' });
  const examples = mkdtempSync(join(tmpdir(), `imgflo-${o.prefix}-`));
  for (const f of readdirSync(join(ROOT, 'examples'))) copyFileSync(join(ROOT, 'examples', f), join(examples, f));
  const photo = await makePhoto(examples);
  const { child: s3, endpoint } = await startS3rver('imgflo-bench');
  const stack = await startDistributedStack({
    redisUrl: await freshRedisDb(10),
    amqpUrl: amqpVhostUrl('imgflo-bench', { fresh: true }),
    s3: { endpoint, bucket: 'imgflo-bench', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    bridges: 1,
    workers: 1,
    ports: freePort,
    quiet: true,
    edgeDevtools: o.edgeDevtools,
    bundle: true,
    env: { IMGFLO_EXAMPLES_DIR: examples, IMGFLO_S3_PREFIX: `${o.prefix}-${Date.now()}`, IMGFLO_WORKER_CONCURRENCY: String(o.concurrency), IMGFLO_LOG_LEVEL: 'error', IMGFLO_LOG_HITS: o.logHits ? '1' : '0' },
    // The hit path as proxy delivery answers it: the bytes, read once into the colo's cache.
    extraEdges: [{ IMGFLO_DELIVERY: 'proxy' }],
    ...(o.workerNodeArgs && { workerNodeArgs: o.workerNodeArgs }),
  });
  return { stack, s3, examples, photo };
}
