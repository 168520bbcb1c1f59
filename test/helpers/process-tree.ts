/**
 * What a process and every process below it use, from /proc (Linux): CPU seconds so far and
 * resident memory. A process that has exited no longer counts, as it no longer costs anything.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

function stat(pid: number): { ppid: number; cpuSeconds: number } | null {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return { ppid: Number(fields[1]), cpuSeconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
  } catch {
    return null;
  }
}

/** The process and its descendants. */
export function processTree(root: number): number[] {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) parents.set(pid, s.ppid);
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parents) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** CPU seconds of each process of the tree so far. */
export const treeCpu = (root: number): Map<number, number> => new Map(processTree(root).map((pid) => [pid, stat(pid)?.cpuSeconds ?? 0]));

/** CPU seconds the tree used since `before` (treeCpu): processes started since count whole. */
export const treeCpuSince = (root: number, before: ReadonlyMap<number, number>): number =>
  [...treeCpu(root)].reduce((sum, [pid, now]) => sum + now - (before.get(pid) ?? 0), 0);

export function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of processTree(root)) {
    try {
      kb += Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}
