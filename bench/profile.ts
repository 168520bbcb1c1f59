/**
 * `npm run bench:profile`: where the CPU goes in the shared run. The same topology as the
 * benchmark (edge, bridge, worker from the bundle, RabbitMQ, s3rver, Redis).
 * - `--part worker` (default): the worker under V8's CPU profiler (every thread), the JPEG miss
 *   driven at the benchmark's concurrency. Per miss: the worker's CPU from /proc (its process
 *   tree: every thread, the processing processes and libvips included) and the profiled
 *   JavaScript time of its serving thread, by package and by function (the processing
 *   processes start without the profiler; their share is the /proc figure less the profile's).
 * - `--part edge`: the edge's isolate profiled through workerd's inspector (under `wrangler
 *   dev`) while the hit path is driven at the benchmark's 8 connections; per hit, by function.
 *   The profiler slows the isolate: read shares, not absolute times.
 * Profiles are written to bench/profiles/.
 *   npm run bench:profile [-- --part worker|edge --seconds 20 --format jpg]
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { stopProcess, ROOT, type DistributedStack } from '../scripts/stack.ts';
import { cpuByGroup } from './cpu.ts';
import { peakRss, startTopology } from './fixtures.ts';
import { load } from './load.ts';

const { values } = parseArgs({ options: { part: { type: 'string', default: 'worker' }, seconds: { type: 'string', default: '20' }, format: { type: 'string', default: 'jpg' } } });
const SECONDS = Number(values.seconds);
const OUT = join(ROOT, 'bench', 'profiles');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Where a frame's code lives: a package of node_modules, the service's bundle, Node itself, or V8's own work. */
function origin(frame: ProfileNode['callFrame']): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  if (pkg) return /^@(aws-sdk|smithy|aws-crypto)\//.test(pkg) ? 'AWS SDK' : pkg;
  if (frame.url.includes('/dist/')) return 'imgflo';
  if (frame.url.startsWith('node:')) return 'node';
  if (!frame.url) return `(${frame.functionName.replace(/[()]/g, '') || 'native'})`;
  return frame.url.split('/').pop()!;
}

/** The machine's monotonic clock in microseconds: the clock of V8's profile timestamps (Linux). */
const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/**
 * Self time (ms) of a profile between two monotonic instants (µs), idle left out: by origin —
 * the package (or the service) nearest the sample on its stack, so that Node's own work is
 * counted to whoever asked for it — and by function.
 */
function selfTimes(profile: CpuProfile, from: number, to: number) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const owner = (id: number): string => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const where = origin(byId.get(at)!.callFrame);
      if (where !== 'node' && !where.startsWith('(')) return where;
    }
    return origin(byId.get(id)!.callFrame);
  };
  const byOrigin: Record<string, number> = {};
  const byFunction: Record<string, number> = {};
  const inclusive: Record<string, number> = {};
  const name = (frame: ProfileNode['callFrame']) => `${frame.functionName || '(anonymous)'} ${origin(frame)}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    const frame = byId.get(id)!.callFrame;
    // Idle, and a thread blocked waiting for work, spend no CPU.
    if (frame.functionName === '(idle)' || frame.functionName === 'atomicsWaitLoop') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const where = owner(id);
    byOrigin[where] = (byOrigin[where] ?? 0) + ms;
    byFunction[name(frame)] = (byFunction[name(frame)] ?? 0) + ms;
    const seen = new Set<string>();
    for (let up: number | undefined = id; up !== undefined; up = parent.get(up)) seen.add(name(byId.get(up)!.callFrame));
    for (const fn of seen) inclusive[fn] = (inclusive[fn] ?? 0) + ms;
  });
  return { byOrigin, byFunction, inclusive };
}

const top = (record: Record<string, number>, n: number, per: number, unit: string) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `  ${(ms / per).toFixed(2).padStart(7)} ${unit}  ${k}`)
    .join('\n');

/** A DevTools-protocol session with the edge's isolate, through wrangler's inspector proxy. */
async function inspect(inspectorUrl: string) {
  const [target] = (await (await fetch(`${inspectorUrl}/json`)).json()) as Array<{ webSocketDebuggerUrl: string }>;
  // Node 20 has WebSocket behind --experimental-websocket (the npm script sets it); the proxy
  // wants an Origin it trusts.
  const Socket = (globalThis as unknown as { WebSocket: new (url: string, init: object) => { send(d: string): void; close(): void; addEventListener(e: string, f: (ev: { data?: unknown }) => void): void } }).WebSocket;
  const ws = new Socket(target!.webSocketDebuggerUrl, { headers: { Origin: 'http://localhost' } });
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  const pending = new Map<number, (result: unknown) => void>();
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown };
    if (m.id !== undefined) pending.get(m.id)?.(m.result);
  });
  let id = 0;
  const send = <T>(method: string, params = {}) =>
    new Promise<T>((resolve) => {
      pending.set(++id, resolve as (r: unknown) => void);
      ws.send(JSON.stringify({ id, method, params }));
    });
  return { send, close: () => ws.close() };
}

/** The worker's threads, from the profiles Node writes at exit, over the measured misses. */
async function profileWorker(stack: DistributedStack) {
  const worker = stack.workers[0]!;
  const edge = stack.edges[0]!.url;
  let n = 0;
  const path = () => `/graph/passthrough.${values.format}?input=files%2Fphoto.jpg&width=800&quality=80&ignored=p${Date.now()}-${n++}`;
  await load(edge, path, 2, 3); // warm-up, left out of every figure
  const from = monotonicUs();
  const before = cpuByGroup({ worker: { trees: [worker.child.pid!] } }).worker!;
  const measured = await load(edge, path, 2, SECONDS);
  const workerCpu = cpuByGroup({ worker: { trees: [worker.child.pid!] } }).worker! - before;
  const to = monotonicUs();
  const peakRssMB = Math.round(peakRss(worker.child.pid!) / 2 ** 20);
  await stopProcess(worker.child);

  const misses = measured.requests;
  const summary: Record<string, unknown> = { misses, workerCpuMsPerMiss: workerCpu / misses, peakRssMB, threads: {} };
  console.log(`${misses} ${values.format} misses at concurrency 2 in ${SECONDS} s; worker CPU (all threads, /proc) ${(workerCpu / misses).toFixed(1)} ms per miss; worker peak RSS ${peakRssMB} MB`);
  for (const file of readdirSync(OUT).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(OUT, file), 'utf8')) as CpuProfile;
    (summary.threads as Record<string, unknown>)[file] = report(file, selfTimes(profile, from, to), misses, 'miss', 'ms');
  }
  return summary;
}

/** The edge's isolate, profiled through its inspector while the hit path is driven. */
async function profileEdge(stack: DistributedStack) {
  const edge = stack.edges[0]!;
  const hitPath = '/graph/passthrough.jpg?input=files%2Fgridbear.jpg&width=64';
  await fetch(`${edge.url}${hitPath}`, { redirect: 'manual' });
  await load(edge.url, () => hitPath, 8, 3); // warm-up
  const session = await inspect(edge.inspectorUrl!);
  await session.send('Profiler.enable');
  await session.send('Profiler.start');
  const measured = await load(edge.url, () => hitPath, 8, SECONDS);
  const { profile } = await session.send<{ profile: CpuProfile }>('Profiler.stop');
  session.close();
  writeFileSync(join(OUT, 'edge.cpuprofile'), JSON.stringify(profile));
  console.log(`${measured.requests} hits at 8 connections in ${SECONDS} s (${measured.throughput.toFixed(0)} req/s under the profiler)`);
  return { hits: measured.requests, edge: report('edge isolate', selfTimes(profile, -Infinity, Infinity), measured.requests, 'hit', 'µs') };
}

/** Prints one profile's figures per request, and returns them for the summary. */
function report(what: string, t: ReturnType<typeof selfTimes>, requests: number, per: string, unit: 'ms' | 'µs') {
  const scale = unit === 'ms' ? requests : requests / 1000;
  const total = Object.values(t.byOrigin).reduce((a, b) => a + b, 0);
  console.log(`\n${what}: ${(total / scale).toFixed(2)} ${unit} of JavaScript and V8 per ${per} (idle left out)\n${top(t.byOrigin, 12, scale, unit)}`);
  console.log(` by function, self:\n${top(t.byFunction, 15, scale, unit)}\n by function, inclusive:\n${top(t.inclusive, 20, scale, unit)}`);
  return { perRequest: total / scale, unit, byOrigin: Object.fromEntries(Object.entries(t.byOrigin).map(([k, v]) => [k, v / scale])) };
}

async function main() {
  const edgePart = values.part === 'edge';
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const { stack, s3 } = await startTopology({
    prefix: 'profile',
    // The edge's profile needs wrangler dev's inspector; the worker's, Node's profiler.
    edgeDevtools: edgePart,
    concurrency: 2,
    logHits: false,
    ...(!edgePart && { workerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${OUT}`] }),
  });
  try {
    const summary = await (edgePart ? profileEdge : profileWorker)(stack);
    writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
  } finally {
    await stack.stop();
    await stopProcess(s3);
  }
}

await main();
