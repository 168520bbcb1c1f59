/** Load generation and the in-process baseline, measured the same way: ops/s and latencies. */
import autocannon from 'autocannon';

export interface Measured {
  requests: number;
  errors: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  statuses: Record<string, number>;
}

/** Drives HTTP load at `url + path()` for `seconds` (or `amount` requests), `connections` at a time. */
export async function load(url: string, path: () => string, connections: number, seconds: number, method: 'GET' | 'POST' = 'GET', amount?: number): Promise<Measured> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    ...(amount !== undefined && { amount }),
    timeout: 60,
    method,
    requests: [{ setupRequest: (req) => ({ ...req, path: path() }) }],
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = (stat as { count: number }).count;
  const ok = (statuses['301'] ?? 0) + (statuses['302'] ?? 0) + (statuses['200'] ?? 0) + (statuses['202'] ?? 0);
  return {
    requests: ok,
    errors: result.errors + result.non2xx - (statuses['301'] ?? 0) - (statuses['302'] ?? 0),
    throughput: ok / (result.duration || seconds),
    p50: result.latency.p50,
    p95: (result.latency as unknown as Record<string, number>).p97_5 ?? result.latency.p99,
    p99: result.latency.p99,
    statuses,
  };
}

/** Runs `op` with `concurrency` operations in flight for `seconds`; the same figures. */
export async function inProcess(op: () => Promise<unknown>, concurrency: number, seconds: number): Promise<Measured> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p: number) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))] ?? 0);
  return { requests: latencies.length, errors: 0, throughput: latencies.length / elapsed, p50: at(0.5), p95: at(0.95), p99: at(0.99), statuses: {} };
}

/**
 * Measures every side in turn, `rounds` times, so that the drift of a shared machine falls on
 * each side alike: throughput over all rounds, latency percentiles the median of the rounds'.
 */
export async function alternate<K extends string>(sides: Record<K, () => Promise<Measured>>, rounds: number): Promise<Record<K, Measured>> {
  const runs = Object.fromEntries(Object.keys(sides).map((k) => [k, [] as Measured[]])) as Record<K, Measured[]>;
  for (let r = 0; r < rounds; r++) {
    for (const k of Object.keys(sides) as K[]) runs[k].push(await sides[k]());
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const merged = {} as Record<K, Measured>;
  for (const k of Object.keys(runs) as K[]) {
    const ms = runs[k];
    const statuses: Record<string, number> = {};
    for (const m of ms) for (const [code, count] of Object.entries(m.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
    merged[k] = {
      requests: ms.reduce((s, m) => s + m.requests, 0),
      errors: ms.reduce((s, m) => s + m.errors, 0),
      throughput: ms.reduce((s, m) => s + m.throughput, 0) / ms.length,
      p50: median(ms.map((m) => m.p50)),
      p95: median(ms.map((m) => m.p95)),
      p99: median(ms.map((m) => m.p99)),
      statuses,
    };
  }
  return merged;
}
