/**
 * What the processing processes cost per job: the benchmark's miss (the photo scaled to 800 px
 * wide) run in this thread (processImage) and through the process pool (processor.ts), one job
 * at a time, in alternating rounds; CPU per job from process.cpuUsage (all threads) plus what
 * the processing process reports. Each job gets its own input buffer, as a job read from disk
 * or the network has.
 */
import { missTask } from './miss-task.ts';
import { runTask } from '../worker/runtimes/index.ts';
import { createProcessor } from '../worker/runtime/processor.ts';

export interface IsolationCost {
  cpuMsInThisThread: number;
  cpuMsInProcessingThread: number;
  overheadPercent: number;
}

export async function measureIsolation(photo: Buffer, jobs: number, rounds: number, warmUps = 5): Promise<Record<'jpg' | 'webp', IsolationCost>> {
  const pool = createProcessor(1, 60_000);
  const task = await missTask(photo);
  const sides = {
    inThisThread: (ext: 'jpg' | 'webp') => runTask(task(ext)),
    inProcessingThread: (ext: 'jpg' | 'webp') => pool.run(task(ext)),
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = {} as Record<'jpg' | 'webp', IsolationCost>;
  for (const ext of ['jpg', 'webp'] as const) {
    const cpu = { inThisThread: [] as number[], inProcessingThread: [] as number[] };
    await pool.ready();
    for (let i = 0; i < warmUps; i++) for (const run of Object.values(sides)) await run(ext);
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(sides) as Array<[keyof typeof sides, (e: 'jpg' | 'webp') => Promise<unknown>]>) {
        const before = process.cpuUsage();
        const beforeChildren = pool.cpuMicros();
        for (let i = 0; i < jobs; i++) await run(ext);
        const used = process.cpuUsage(before);
        cpu[name].push((used.user + used.system + pool.cpuMicros() - beforeChildren) / 1000 / jobs);
      }
    }
    const inline = median(cpu.inThisThread);
    const threaded = median(cpu.inProcessingThread);
    result[ext] = {
      cpuMsInThisThread: Math.round(inline * 10) / 10,
      cpuMsInProcessingThread: Math.round(threaded * 10) / 10,
      overheadPercent: Math.round(((threaded - inline) / inline) * 1000) / 10,
    };
  }
  await pool.close();
  return result;
}
