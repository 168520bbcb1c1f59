/**
 * Where the CPU goes: CPU time of process trees from /proc (Linux), so that a scenario can say
 * how many milliseconds of CPU each part of the service spends per request.
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

/** A group of processes to watch: the trees under some pids, some pids alone, or every process of some names. */
export type Group = { trees: number[] } | { pids: number[] } | { names: string[] };

/** CPU milliseconds used so far by each group. */
export function cpuByGroup(groups: Record<string, Group>): Record<string, number> {
  const all = stats();
  const byPid = new Map(all.map((s) => [s.pid, s]));
  const children = new Map<number, Stat[]>();
  for (const s of all) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  const tree = (pid: number): Stat[] => [...(byPid.has(pid) ? [byPid.get(pid)!] : []), ...(children.get(pid) ?? []).flatMap((c) => tree(c.pid))];
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
