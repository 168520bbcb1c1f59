/**
 * What a process and every process below it use, in the units the tests speak (CPU seconds,
 * MB), from the benchmark's /proc readers (bench/cpu.ts).
 */
import { cpuByPid, cpuSince, treeRss } from '../../bench/cpu.ts';

/** CPU so far of each process of the tree (pass it to treeCpuSince). */
export const treeCpu = (root: number): Map<number, number> => cpuByPid(root);

/** CPU seconds the tree used since `before`: processes started since count whole, exited ones nothing. */
export const treeCpuSince = (root: number, before: ReadonlyMap<number, number>): number => cpuSince(root, before) / 1000;

export const treeRssMb = (root: number): number => treeRss(root) / (1024 * 1024);

/** Whether a process of this id exists (a zombie too, until it is reaped). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
