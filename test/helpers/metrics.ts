/** Reading Prometheus counters of the service's processes in tests. */
import type { Proc } from '../../scripts/stack.ts';

/** Sums a counter over the /metrics of several processes. */
export async function sumCounter(procs: Proc[], name: string, labels: Record<string, string> = {}): Promise<number> {
  let sum = 0;
  for (const p of procs) {
    const text = await (await fetch(`${p.url}/metrics`)).text();
    for (const line of text.split('\n')) {
      const m = /^([a-z_]+)(?:\{([^}]*)\})? ([0-9.e+-]+)$/.exec(line);
      if (!m || m[1] !== name) continue;
      const got = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1], x[2]]));
      if (Object.entries(labels).every(([k, v]) => got[k] === v)) sum += Number(m[3]);
    }
  }
  return sum;
}
