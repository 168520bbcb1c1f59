/**
 * `npm run bench:profile`: where the worker's CPU goes in the shared run. The same topology as
 * the benchmark (edge, bridge, worker from the bundle, RabbitMQ, s3rver, Redis), the worker
 * under V8's CPU profiler (every thread), the JPEG miss driven at the benchmark's concurrency.
 * It prints, per miss, the worker's CPU from /proc (all threads, libvips included) and the
 * profiled JavaScript time of its serving thread and of its processing threads, by package and
 * by function, and writes the profiles to bench/profiles/.
 *   npm run bench:profile [-- --seconds 20 --format jpg]
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startDistributedStack, stopProcess, ROOT } from '../scripts/stack.ts';
import { amqpVhostUrl, freshRedisDb } from '../test/helpers/services.ts';
import { freePort } from '../test/helpers/stack.ts';
import { cpuByGroup } from './cpu.ts';
import { makePhoto, startS3rver } from './fixtures.ts';
import { load } from './load.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '20' }, format: { type: 'string', default: 'jpg' } } });
const SECONDS = Number(values.seconds);
const OUT = join(ROOT, 'bench', 'profiles');

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
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
  return frame.url;
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
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at < from || at > to) return;
    const frame = byId.get(id)!.callFrame;
    // Idle, and a processing thread blocked waiting for its next job, spend no CPU.
    if (frame.functionName === '(idle)' || frame.functionName === 'atomicsWaitLoop') return;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const where = owner(id);
    byOrigin[where] = (byOrigin[where] ?? 0) + ms;
    const fn = `${frame.functionName || '(anonymous)'} ${origin(frame)}`;
    byFunction[fn] = (byFunction[fn] ?? 0) + ms;
  });
  return { byOrigin, byFunction };
}

const top = (record: Record<string, number>, n: number, per: number) =>
  Object.entries(record)
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([k, ms]) => `  ${(ms / per).toFixed(2).padStart(7)} ms  ${k}`)
    .join('\n');

async function main() {
  execFileSync('npm', ['run', '--silent', 'build:backend'], { cwd: ROOT, stdio: 'inherit' });
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const examples = mkdtempSync(join(tmpdir(), 'imgflo-profile-'));
  for (const f of readdirSync(join(ROOT, 'examples'))) copyFileSync(join(ROOT, 'examples', f), join(examples, f));
  await makePhoto(examples);
  const { child: s3, endpoint: s3Endpoint } = await startS3rver('imgflo-bench');
  const stack = await startDistributedStack({
    redisUrl: await freshRedisDb(10),
    amqpUrl: amqpVhostUrl('imgflo-bench', { fresh: true }),
    s3: { endpoint: s3Endpoint, bucket: 'imgflo-bench', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    bridges: 1,
    workers: 1,
    ports: freePort,
    quiet: true,
    edgeDevtools: false,
    bundle: true,
    env: { IMGFLO_EXAMPLES_DIR: examples, IMGFLO_S3_PREFIX: `profile-${Date.now()}`, IMGFLO_WORKER_CONCURRENCY: '2', IMGFLO_LOG_LEVEL: 'error', IMGFLO_LOG_HITS: '0' },
    workerNodeArgs: ['--cpu-prof', `--cpu-prof-dir=${OUT}`],
  });
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
  const peakRssMB = Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${worker.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024);
  await stopProcess(worker.child);
  await stack.stop();
  await stopProcess(s3);

  const misses = measured.requests;
  const files = readdirSync(OUT).filter((f) => f.endsWith('.cpuprofile'));
  const summary: Record<string, unknown> = { misses, workerCpuMsPerMiss: workerCpu / misses, peakRssMB, threads: {} };
  console.log(`${misses} ${values.format} misses at concurrency 2 in ${SECONDS} s; worker CPU (all threads, /proc) ${(workerCpu / misses).toFixed(1)} ms per miss; worker peak RSS ${peakRssMB} MB`);
  for (const file of files) {
    const profile = JSON.parse(readFileSync(join(OUT, file), 'utf8')) as CpuProfile;
    const { byOrigin, byFunction } = selfTimes(profile, from, to);
    const total = Object.values(byOrigin).reduce((a, b) => a + b, 0);
    (summary.threads as Record<string, unknown>)[file] = { msPerMiss: total / misses, byOrigin: Object.fromEntries(Object.entries(byOrigin).map(([k, v]) => [k, v / misses])) };
    console.log(`\n${file}: ${(total / misses).toFixed(2)} ms of JavaScript and V8 per miss (idle left out)\n${top(byOrigin, 12, misses)}\n by function:\n${top(byFunction, 15, misses)}`);
  }
  writeFileSync(join(OUT, 'summary.json'), JSON.stringify(summary, null, 2));
}

await main();
