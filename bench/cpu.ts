/**
 * Where the CPU and memory go: CPU time and resident memory of process trees from /proc
 * (Linux), so that a scenario can say how many milliseconds of CPU each part of the service
 * spends per request, and a test what a process and its children use after a job.
 */
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface Stat {
  pid: number;
  ppid: number;
  name: string;
  cpuMs: number;
}

function stats(): Stat[] {
  const out: Stat[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ... utime stime: fields 14 and 15; comm may hold spaces.
      const close = text.lastIndexOf(')');
      const fields = text.slice(close + 2).split(' ');
      out.push({ pid: Number(entry), ppid: Number(fields[1]), name: text.slice(text.indexOf('(') + 1, close), cpuMs: ((Number(fields[11]) + Number(fields[12])) * 1000) / TICKS_PER_SECOND });
    } catch {
      // The process ended meanwhile.
    }
  }
  return out;
}

/** The processes of a tree, found in `all`: the root (when alive) and its descendants. */
function treeIn(all: Stat[]): (pid: number) => Stat[] {
  const byPid = new Map(all.map((s) => [s.pid, s]));
  const children = new Map<number, Stat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const tree = (pid: number): Stat[] => [...(byPid.has(pid) ? [byPid.get(pid)!] : []), ...(children.get(pid) ?? []).flatMap((c) => tree(c.pid))];
  return tree;
}

/** CPU milliseconds so far of each process of a tree, by pid. */
export const cpuByPid = (root: number): Map<number, number> => new Map(treeIn(stats())(root).map((s) => [s.pid, s.cpuMs]));

/**
 * CPU milliseconds a tree used since `before` (cpuByPid): a process started since counts whole;
 * one that has exited no longer costs anything.
 */
export const cpuSince = (root: number, before: ReadonlyMap<number, number>): number =>
  [...cpuByPid(root)].reduce((sum, [pid, ms]) => sum + ms - (before.get(pid) ?? 0), 0);

/** The resident memory of a process and its descendants now (bytes). */
export function treeRss(pid: number): number {
  try {
    const own = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return own + children.reduce((sum, child) => sum + treeRss(child), 0);
  } catch {
    return 0;
  }
}

/**
 * The proportional memory of a process and its descendants (bytes): each shared page counted once
 * over the processes that share it, as a container's memory counts it (RSS would count the
 * libraries that every processing process maps once per process).
 */
export function treePss(pid: number): number {
  try {
    const own = Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0) * 1024;
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return own + children.reduce((sum, child) => sum + treePss(child), 0);
  } catch {
    return 0;
  }
}

/**
 * Samples `measure` every second while `work` runs: its peak. Reading a process's smaps costs the
 * kernel a walk of its page tables, so a sampler any faster would take CPU from what it measures.
 */
export async function peakDuring<T>(measure: () => number, work: () => Promise<T>): Promise<{ value: T; peak: number }> {
  let peak = measure();
  const sampler = setInterval(() => (peak = Math.max(peak, measure())), 1000);
  try {
    return { value: await work(), peak: Math.max(peak, measure()) };
  } finally {
    clearInterval(sampler);
  }
}

/** A group of processes to watch: the trees under some pids, some pids alone, or every process of some names. */
export type Group = { trees: number[] } | { pids: number[] } | { names: string[] };

/** CPU milliseconds used so far by each group. */
export function cpuByGroup(groups: Record<string, Group>): Record<string, number> {
  const all = stats();
  const tree = treeIn(all);
  const result: Record<string, number> = {};
  for (const [group, g] of Object.entries(groups)) {
    const members = 'trees' in g ? g.trees.flatMap(tree) : 'pids' in g ? all.filter((s) => g.pids.includes(s.pid)) : all.filter((s) => g.names.includes(s.name));
    result[group] = members.reduce((sum, s) => sum + s.cpuMs, 0);
  }
  return result;
}

/** Runs `work` and returns its value with the CPU milliseconds each group spent meanwhile. */
export async function measureCpu<T>(groups: Record<string, Group>, work: () => Promise<T>): Promise<{ value: T; cpuMs: Record<string, number> }> {
  const before = cpuByGroup(groups);
  const value = await work();
  const after = cpuByGroup(groups);
  return { value, cpuMs: Object.fromEntries(Object.keys(groups).map((k) => [k, after[k]! - before[k]!])) };
}
