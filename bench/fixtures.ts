/** What the benchmark and the profiler both start: the photo of the miss path, and s3rver. */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ROOT } from '../scripts/stack.ts';
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

/** s3rver in a process of its own, as S3 would be (its CPU is not the load generator's), with `bucket`. */
export async function startS3rver(bucket: string): Promise<{ child: ChildProcess; endpoint: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/s3rver/bin/s3rver.js'), '-d', mkdtempSync(join(tmpdir(), 'imgflo-bench-s3-')), '-a', '127.0.0.1', '-p', String(port), '--silent', '--configure-bucket', bucket], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  await until(() => fetch(endpoint, { method: 'HEAD' }));
  return { child, endpoint };
}
