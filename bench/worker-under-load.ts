/**
 * A worker started under load, as a deployment scales out: unique misses at twice the running
 * worker's concurrency keep a backlog; then, with the same load, a second worker starts. How long
 * from its start until it has answered a job (its process, its connections, its warm processing
 * processes), and the requests' p99 while it starts, against the same load before it.
 */
import { stopProcess, type DistributedStack } from '../scripts/stack.ts';
import { sumCounter } from '../test/helpers/metrics.ts';
import { load } from './load.ts';

export interface WorkerUnderLoad {
  /** From the new worker's start until its first job was answered; null if none was within the run and 20 s after. */
  firstJobMs: number | null;
  before: { throughput: number; p99: number };
  during: { throughput: number; p99: number };
}

export async function measureWorkerUnderLoad(stack: DistributedStack, edge: string, path: () => string, connections: number, seconds: number): Promise<WorkerUnderLoad> {
  const before = await load(edge, path, connections, seconds);
  const started = Date.now();
  const during = load(edge, path, connections, seconds);
  const worker = await stack.addWorker();
  let firstJobMs: number | null = null;
  try {
    // Past the load's end too, a while: the jobs it left queued are still taken.
    while (firstJobMs === null && Date.now() - started < seconds * 1000 + 20_000) {
      // Refused while it starts: 0 answered.
      const answered = await sumCounter([worker], 'imgflo_jobs_processed_total').catch(() => 0);
      if (answered > 0) firstJobMs = Date.now() - started;
      else await new Promise((r) => setTimeout(r, 50));
    }
    const d = await during;
    return { firstJobMs, before: { throughput: before.throughput, p99: before.p99 }, during: { throughput: d.throughput, p99: d.p99 } };
  } finally {
    await during.catch(() => undefined);
    await stopProcess(worker.child);
    stack.workers.splice(stack.workers.indexOf(worker), 1);
  }
}
