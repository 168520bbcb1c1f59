/**
 * `npm run bench`: the benchmark. It starts what it needs (the real topology: the edge on
 * wrangler's dev server, a bridge and a worker from the production bundle, RabbitMQ, s3rver,
 * Redis; ipx; bare redirecting workers), runs the scenarios with autocannon on loopback, prints
 * a table and writes bench/results.json. Every figure is paired with its baseline measured in
 * the same run; the miss path also says how much CPU each part of the service spent.
 *   npm run bench              (a few minutes)
 *   npm run bench -- --smoke   (seconds: checks that the harness still measures)
 *   npm run bench -- --devtools   (edges under the `wrangler dev` command, devtools relay and all)
 *   npm run bench -- --log-hits   (an access line for every hit too)
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { edgeCommand, stopProcess, wranglerEnv, ROOT } from '../scripts/stack.ts';
import { sumCounter } from '../test/helpers/distributed.ts';
import { freePort } from '../test/helpers/stack.ts';
import { measureCpu, peakDuring, treePss, treeRss, type Group } from './cpu.ts';
import { peakRss, startTopology, until } from './fixtures.ts';
import { measureIsolation, type IsolationCost } from './isolation.ts';
import { measureIndexOutage } from './index-outage.ts';
import { measureScaleOut } from './scale-out.ts';
import { measureWorkerUnderLoad } from './worker-under-load.ts';
import { measureVideo, type VideoCost } from './video.ts';
import { alternate, inProcess, load, type Measured } from './load.ts';

const { values } = parseArgs({ options: { smoke: { type: 'boolean' }, devtools: { type: 'boolean' }, 'log-hits': { type: 'boolean' }, out: { type: 'string' } } });
const smoke = values.smoke === true;
// The edges run on wrangler's dev server without its devtools relay (scripts/edge-dev.mjs);
// --devtools runs them under the `wrangler dev` command itself, relay included.
const DEVTOOLS = values.devtools === true;
// Hits get no access line (IMGFLO_LOG_HITS=0), as the bare handler writes none; --log-hits logs them.
const LOG_HITS = values['log-hits'] === true;
const SECONDS = smoke ? 1 : 24;
const CONCURRENCY = 2;
// Each side of a comparison runs in turn, ROUNDS times (SECONDS in all), against drift.
const ROUNDS = smoke ? 1 : 3;
const out = values.out ?? join(ROOT, 'bench', 'results.json');

sharp.cache(false);

/** A worker that only redirects, on the dev server the edge runs on; optionally with static assets. */
async function startBare(withAssets: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'imgflo-bare-'));
  writeFileSync(join(dir, 'bare.js'), 'export default { fetch() { return new Response(null, { status: 301, headers: { location: "http://127.0.0.1/x.jpg" } }); } }');
  const assets = withAssets ? `[assets]\ndirectory = "${join(ROOT, 'examples')}"\nbinding = "ASSETS"\nrun_worker_first = true\n` : '';
  writeFileSync(join(dir, 'wrangler.toml'), `name = "bare"\nmain = "bare.js"\ncompatibility_date = "2026-04-20"\nsend_metrics = false\n${assets}`);
  const port = await freePort();
  const [command, args] = edgeCommand({ port, devtools: DEVTOOLS, config: join(dir, 'wrangler.toml'), ...(DEVTOOLS && { inspectorPort: await freePort() }) });
  const child = spawn(command, args, { cwd: ROOT, stdio: 'ignore', env: wranglerEnv() });
  const url = `http://127.0.0.1:${port}`;
  await until(() => fetch(url, { redirect: 'manual' }));
  return { child, url };
}

/** Raw sharp encodes as the service does (progressive JPEG with optimised tables): the same operation. */
const SAME_ENCODING: Record<string, object> = { jpeg: { progressive: true, optimiseCoding: true }, webp: {} };

async function main() {
  const { stack, s3, examples, photo } = await startTopology({ prefix: 'run', edgeDevtools: DEVTOOLS, concurrency: CONCURRENCY, logHits: LOG_HITS });
  const edge = stack.edges[0]!.url;
  const ipxPort = await freePort();
  const ipx = spawn(process.execPath, [join(ROOT, 'node_modules/ipx/bin/ipx.mjs'), 'serve', '--dir', examples, '--host', '127.0.0.1', '--port', String(ipxPort)], { stdio: 'ignore' });
  // The baselines of the hit path: a worker that only redirects, on the same dev server; and
  // the same worker deployed as the edge is, with static assets in front (wrangler's router).
  const bare = await startBare(false);
  const bareWithAssets = await startBare(true);
  await until(() => fetch(`http://127.0.0.1:${ipxPort}/_/photo.jpg`, { method: 'HEAD' }));

  const scenarios: Record<string, Record<string, Measured | Record<string, number> | number | string> | Record<string, IsolationCost> | Record<string, VideoCost>> = {};
  let n = 0;
  const unique = (ext: string, q: number) => () => `/graph/passthrough.${ext}?input=files%2Fphoto.jpg&width=800&quality=${q}&ignored=${Date.now()}-${n++}`;
  const peakBefore = peakRss(stack.workers[0]!.child.pid!);
  // The worker as a container holds it: its process and its processing processes.
  const workerTree = () => treePss(stack.workers[0]!.child.pid!);
  const workerIdlePss = workerTree();

  // Where the CPU goes on the miss path: every part of the topology, as a process tree.
  const parts: Record<string, Group> = {
    edge: { trees: stack.edges.map((p) => p.child.pid!) },
    bridge: { trees: stack.bridges.map((p) => p.child.pid!) },
    worker: { trees: stack.workers.map((p) => p.child.pid!) },
    upstashProxy: { trees: [stack.proxy.child.pid!] },
    s3rver: { trees: [s3.pid!] },
    redis: { names: ['redis-server'] },
    rabbitmq: { names: ['beam.smp', 'epmd', 'erl_child_setup', 'inet_gethost'] },
    loadGenerator: { pids: [process.pid] },
  };
  const perRequest = (cpuMs: Record<string, number>, requests: number) =>
    Object.fromEntries(Object.entries(cpuMs).map(([k, ms]) => [k, Math.round((ms / Math.max(1, requests)) * 10) / 10]));
  // CPU milliseconds spent meanwhile, added up over the rounds of a side.
  const counting = (groups: Record<string, Group>, totals: Record<string, number>, work: () => Promise<Measured>) => async () => {
    const { value, cpuMs } = await measureCpu(groups, work);
    for (const [k, ms] of Object.entries(cpuMs)) totals[k] = (totals[k] ?? 0) + ms;
    return value;
  };
  const slice = SECONDS / ROUNDS;
  let workerPeakPss = 0;
  for (const [ext, q, enc] of [['jpg', 80, 'jpeg'], ['webp', 80, 'webp']] as const) {
    const oursCpu: Record<string, number> = {};
    const rawCpu: Record<string, number> = {};
    const m = await alternate(
      {
        imgflo: counting(parts, oursCpu, async () => {
          const { value, peak } = await peakDuring(workerTree, () => load(edge, unique(ext, q), CONCURRENCY, slice));
          workerPeakPss = Math.max(workerPeakPss, peak);
          return value;
        }),
        rawSharp: counting({ sharp: { pids: [process.pid] } }, rawCpu, () => inProcess(() => sharp(photo).resize({ width: 800 }).toFormat(enc, { quality: q, ...SAME_ENCODING[enc] }).toBuffer(), CONCURRENCY, slice)),
        ipx: () => load(`http://127.0.0.1:${ipxPort}`, () => `/w_800,q_${q},f_${enc}/photo.jpg`, CONCURRENCY, slice),
      },
      ROUNDS,
    );
    scenarios[`miss-${ext}`] = {
      ...m,
      vsRawSharp: m.imgflo.throughput / m.rawSharp.throughput,
      vsIpx: m.imgflo.throughput / m.ipx.throughput,
      cpuMsPerRequest: perRequest(oursCpu, m.imgflo.requests),
      rawSharpCpuMsPerImage: perRequest(rawCpu, m.rawSharp.requests).sharp!,
    };
  }
  const workerRss = peakRss(stack.workers[0]!.child.pid!);

  // Hit path: one URL answered from the index at the edge, against a bare workerd redirect; and
  // the same URL with IMGFLO_DELIVERY=proxy (the image's bytes), against the same baselines.
  const hitPath = '/graph/passthrough.jpg?input=files%2Fgridbear.jpg&width=64';
  const proxyEdge = stack.edges.at(-1)!.url;
  await fetch(`${edge}${hitPath}`, { redirect: 'manual' });
  await (await fetch(`${proxyEdge}${hitPath}`)).arrayBuffer();
  const hit = await alternate(
    {
      imgflo: () => load(edge, () => hitPath, 8, slice),
      imgfloProxy: () => load(proxyEdge, () => hitPath, 8, slice),
      bareWorkerd: () => load(bare.url, () => '/', 8, slice),
      bareWithAssets: () => load(bareWithAssets.url, () => '/', 8, slice),
    },
    ROUNDS,
  );
  scenarios.hit = {
    ...hit,
    vsBare: hit.imgflo.throughput / hit.bareWorkerd.throughput,
    vsBareWithAssets: hit.imgflo.throughput / hit.bareWithAssets.throughput,
    proxyVsBare: hit.imgfloProxy.throughput / hit.bareWorkerd.throughput,
    proxyVsBareWithAssets: hit.imgfloProxy.throughput / hit.bareWithAssets.throughput,
  };

  // Coalescing: 100 identical concurrent misses.
  const before = await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' });
  const same = `/graph/passthrough.jpg?input=files%2Fphoto.jpg&width=640&ignored=coalesce-${Date.now()}`;
  const answers = await Promise.all(Array.from({ length: 100 }, () => fetch(`${edge}${same}`, { redirect: 'manual' }).then((r) => r.status)));
  scenarios.coalescing = {
    requests: 100,
    answered301: answers.filter((s) => s === 301).length,
    processingRuns: (await sumCounter(stack.workers, 'imgflo_jobs_processed_total', { outcome: 'processed' })) - before,
  };

  // Overload: a thousand connections on one cached URL; a hundred unique misses at once. Nothing
  // may fail; past IMGFLO_MAX_URGENT_QUEUE waiting jobs the bridge would shed with 503.
  const rssDuring = async <T>(work: () => Promise<T>) => {
    const pids = { edge: stack.edges[0]!.child.pid!, bridge: stack.bridges[0]!.child.pid!, worker: stack.workers[0]!.child.pid! };
    const peaks: Record<string, number> = {};
    const sampler = setInterval(() => {
      for (const [k, pid] of Object.entries(pids)) peaks[k] = Math.max(peaks[k] ?? 0, treeRss(pid));
    }, 200);
    try {
      return { value: await work(), peakRssMB: Object.fromEntries(Object.entries(peaks).map(([k, b]) => [k, Math.round(b / 1e6)])) };
    } finally {
      clearInterval(sampler);
    }
  };
  const cachedOverload = await rssDuring(() => load(edge, () => hitPath, 1000, smoke ? 1 : 10));
  const missOverload = await rssDuring(() => load(edge, unique('jpg', 80), smoke ? 20 : 100, 120, 'GET', smoke ? 20 : 300));
  scenarios.overload = {
    cachedC1000: { ...cachedOverload.value, peakRssMB: cachedOverload.peakRssMB },
    uniqueMissesC100: { ...missOverload.value, peakRssMB: missOverload.peakRssMB },
  } as never;

  // The original imgflo's stress series (reference/imgflo-server.md §8.4), mean latency.
  const cached = '/graph/gradientmap.jpg?input=files%2Fgradient-black-white.png';
  await fetch(`${edge}${cached}`, { redirect: 'manual' });
  const series: Record<string, number> = {};
  for (const c of smoke ? [1, 10] : [1, 10, 100]) series[`cached_graph c=${c} (limit ${{ 1: 20, 10: 200, 100: 2000 }[c]} ms)`] = (await load(edge, () => cached, c, smoke ? 1 : 5)).p50;
  for (const c of smoke ? [1] : [1, 4, 16]) {
    const r = await load(edge, () => `/graph/passthrough?input=files%2Fgrid-toastybob.jpg&ignored=s${n++}`, c, smoke ? 1 : 8);
    series[`process_same_input c=${c} (limit ${{ 1: 1200, 4: 2000, 16: 6000 }[c]} ms)`] = r.p50;
  }
  scenarios.stress = series;
  // What running each job in a processing process costs, against running it in the serving thread.
  // The smoke run measures without warming up: it checks the harness, not the figures.
  scenarios.isolation = await measureIsolation(photo, smoke ? 2 : 20, ROUNDS, smoke ? 0 : 5);
  // What video costs against ffmpeg alone doing the same work.
  scenarios.video = await measureVideo(smoke ? 1 : 5, !smoke);
  // What a worker started under load costs its first jobs.
  scenarios.scaleOut = (await measureScaleOut(photo, smoke ? 1 : 10)) as unknown as Record<string, number>;
  // A second worker started while the first has a backlog: its first answered job, the p99 meanwhile.
  scenarios.workerUnderLoad = (await measureWorkerUnderLoad(stack, edge, unique('jpg', 80), CONCURRENCY * 2, smoke ? 5 : 10)) as unknown as Record<string, number>;
  // What an index outage costs the workers (null without a redis-server to stop).
  const outage = await measureIndexOutage(smoke ? 4 : 40);
  if (outage) scenarios.indexOutage = outage as unknown as Record<string, number>;
  scenarios.memory = {
    workerPeakRssMB: Math.round(workerRss / 1e6),
    workerPeakRssBeforeMissMB: Math.round(peakBefore / 1e6),
    workerTreeIdlePssMB: Math.round(workerIdlePss / 1e6),
    workerTreePeakPssMB: Math.round(workerPeakPss / 1e6),
  };

  const results = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', memoryGB: Math.round(totalmem() / 2 ** 30), node: process.version },
    smoke,
    secondsPerRun: SECONDS,
    roundsPerRun: ROUNDS,
    logHits: LOG_HITS,
    edge: DEVTOOLS ? 'wrangler dev' : 'wrangler dev server without the devtools relay (scripts/edge-dev.mjs)',
    concurrency: CONCURRENCY,
    scenarios,
  };
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, JSON.stringify(results, null, 2));

  const row = (name: string, m: Measured) => `${name.padEnd(28)} ${m.throughput.toFixed(1).padStart(8)} req/s  p50 ${String(m.p50).padStart(5)}  p95 ${String(m.p95).padStart(5)}  p99 ${String(m.p99).padStart(5)} ms`;
  for (const ext of ['jpg', 'webp']) {
    const s = scenarios[`miss-${ext}`]!;
    console.log(row(`miss ${ext}: imgflo`, s.imgflo as Measured));
    console.log(row(`miss ${ext}: raw sharp`, s.rawSharp as Measured));
    console.log(row(`miss ${ext}: ipx`, s.ipx as Measured));
    console.log(`  ratio vs raw sharp ${(s.vsRawSharp as number).toFixed(2)}, vs ipx ${(s.vsIpx as number).toFixed(2)}`);
    console.log(`  CPU ms per request: ${JSON.stringify(s.cpuMsPerRequest)}; raw sharp ${s.rawSharpCpuMsPerImage} per image`);
  }
  console.log(row('hit: imgflo edge', scenarios.hit.imgflo as Measured));
  console.log(row('hit: imgflo edge, proxy', scenarios.hit.imgfloProxy as Measured));
  console.log(row('hit: bare workerd', scenarios.hit.bareWorkerd as Measured));
  console.log(row('hit: bare, with assets', scenarios.hit.bareWithAssets as Measured));
  console.log(`  ratio vs bare ${(scenarios.hit.vsBare as number).toFixed(2)}, vs bare with assets ${(scenarios.hit.vsBareWithAssets as number).toFixed(2)}`);
  console.log(`  proxy: ratio vs bare ${(scenarios.hit.proxyVsBare as number).toFixed(2)}, vs bare with assets ${(scenarios.hit.proxyVsBareWithAssets as number).toFixed(2)}`);
  console.log(`coalescing: ${JSON.stringify(scenarios.coalescing)}`);
  console.log(`stress (p50 ms): ${JSON.stringify(series)}`);
  console.log(`memory: ${JSON.stringify(scenarios.memory)}`);
  console.log(`isolation (CPU ms per job): ${JSON.stringify(scenarios.isolation)}`);
  console.log(`overload: ${JSON.stringify(scenarios.overload)}`);
  console.log(`index outage (jobs a second, up and down): ${JSON.stringify(scenarios.indexOutage ?? 'no redis-server')}`);
  console.log(`scale-out (a fresh pool's first jobs against warm ones): ${JSON.stringify(scenarios.scaleOut)}`);
  console.log(`a worker started under load (its first answered job; p99 before and meanwhile): ${JSON.stringify(scenarios.workerUnderLoad)}`);
  console.log(`wrote ${out}`);

  await stopProcess(bare.child);
  await stopProcess(bareWithAssets.child);
  await stopProcess(ipx);
  await stack.stop();
  await stopProcess(s3);
}

await main();
