/**
 * A rolling deploy: a worker still running an older version of a graph must not store its
 * output under the key the edge made for the new version. It hands the job back, and a worker
 * of the right version processes it.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DistributedStack } from '../scripts/stack.ts';
import { startTestDistributedStack, sumCounter } from './helpers/distributed.ts';
import { amqpAvailable, freshRedisDb, redisAvailable, s3Available } from './helpers/services.ts';

const ready = (await redisAvailable()) && (await amqpAvailable()) && (await s3Available());
const ROOT = new URL('../', import.meta.url).pathname;

/** How far from grey an image is: the mean spread of its channels. */
async function colourfulness(image: Buffer): Promise<number> {
  const { data, info } = await sharp(image).raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let i = 0; i < data.length; i += info.channels) sum += Math.max(data[i]!, data[i + 1]!, data[i + 2]!) - Math.min(data[i]!, data[i + 1]!, data[i + 2]!);
  return sum / (data.length / info.channels);
}

describe.skipIf(!ready)('a worker with another version of a graph', () => {
  let stack: DistributedStack;
  beforeAll(async () => {
    // The "old" passthrough turns its input grey: had it run, the results would show it.
    const old = mkdtempSync(join(tmpdir(), 'imgflo-old-graphs-'));
    cpSync(join(ROOT, 'graphs'), old, { recursive: true });
    writeFileSync(join(old, 'passthrough.fbp'), 'INPORT=in.INPUT:INPUT\nINPORT=in.IGNORED:IGNORED\nOUTPORT=ou.OUTPUT:OUTPUT\n\nin(gegl/nop) OUTPUT -> INPUT g(gegl/grey) OUTPUT -> INPUT ou(gegl/nop)\n');
    stack = await startTestDistributedStack({
      redisUrl: await freshRedisDb(8),
      vhost: 'imgflo-test-rolling',
      bridges: 1,
      workers: 2,
      workerEnv: (i): Record<string, string> => (i === 1 ? { IMGFLO_GRAPHS_DIR: old } : {}),
    });
  }, 180_000);
  afterAll(() => stack?.stop());

  it('refuses the job, and the edge’s request succeeds on the worker with the right version', async () => {
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${stack.edges[0]!.url}/graph/passthrough?input=files%2Fgrid-toastybob.jpg&width=${120 + i}`, { redirect: 'manual' });
      expect(res.status).toBe(301);
      const image = Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer());
      expect(await colourfulness(image)).toBeGreaterThan(10);
    }
    const [oldWorker, newWorker] = stack.workers;
    expect(await sumCounter([oldWorker!], 'imgflo_jobs_processed_total', { graph: 'passthrough' })).toBe(0);
    expect(await sumCounter([newWorker!], 'imgflo_jobs_processed_total', { graph: 'passthrough', outcome: 'processed' })).toBe(8);
    expect(await sumCounter([oldWorker!], 'imgflo_jobs_refused_total')).toBeGreaterThan(0);
  });
});
