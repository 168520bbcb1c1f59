/**
 * What a worker started under load costs its first jobs: a fresh pool of processing processes
 * (as a worker scaled out starts one), from its start until it says ready, then its first jobs'
 * processing time against the same jobs once warm (the benchmark's miss: the photo scaled to
 * 800 px, JPEG and WebP). A worker takes jobs only once its pool is ready (worker/composition.ts).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missTask } from './miss-task.ts';
import { createProcessor } from '../worker/runtime/processor.ts';

export interface ScaleOutCost {
  /** From the pool's start until every process is ready (warm). */
  readyMs: number;
  /** Processing time of each format's first job (each on a fresh process), and the median of the warm ones after. */
  firstJobMs: { jpg: number; webp: number };
  warmJobMs: { jpg: number; webp: number };
  /** first ÷ warm, the larger of the two formats'. */
  ratio: number;
}

export async function measureScaleOut(photo: Buffer, warmJobs: number): Promise<ScaleOutCost> {
  const task = await missTask(photo);
  const started = Date.now();
  // Two processes, as a worker at IMGFLO_WORKER_CONCURRENCY=2: the first job of each is a cold one.
  const pool = createProcessor(2, 60_000);
  try {
    await pool.ready();
    const readyMs = Date.now() - started;
    const timed = async (outtype: 'jpg' | 'webp') => {
      const t = performance.now();
      await pool.run(task(outtype));
      return performance.now() - t;
    };
    const [jpg, webp] = await Promise.all([timed('jpg'), timed('webp')]);
    const warm = { jpg: [] as number[], webp: [] as number[] };
    for (let i = 0; i < warmJobs; i++) {
      const [j, w] = await Promise.all([timed('jpg'), timed('webp')]);
      warm.jpg.push(j);
      warm.webp.push(w);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const round = (n: number) => Math.round(n * 10) / 10;
    const warmJobMs = { jpg: round(median(warm.jpg)), webp: round(median(warm.webp)) };
    const ratio = Math.max(jpg / median(warm.jpg), webp / median(warm.webp));
    return { readyMs, firstJobMs: { jpg: round(jpg), webp: round(webp) }, warmJobMs, ratio: Math.round(ratio * 100) / 100 };
  } finally {
    await pool.close();
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) {
  const { makePhoto } = await import('./fixtures.ts');
  console.log(JSON.stringify(await measureScaleOut(await makePhoto(mkdtempSync(join(tmpdir(), 'imgflo-scale-out-'))), Number(process.argv[2] ?? 10)), null, 2));
}
