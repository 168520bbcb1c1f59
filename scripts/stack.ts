/**
 * Starts the service as real processes. `startStack`: one backend (role `all`: embedded by
 * default, or on Redis/RabbitMQ/S3 when their settings are given) and one edge under
 * `wrangler dev` — what `npm start` runs. `startDistributedStack`: the production topology on
 * one machine — an Upstash-compatible proxy, N bridges, M workers and one edge per bridge —
 * used by the end-to-end and fault tests. stop() ends every process.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { portInUse } from '../shared/config-issues.ts';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

type Env = Record<string, string>;

export interface Proc {
  name: string;
  url: string;
  child: ChildProcess;
  /** Starts the process again as it was started (after it died or was killed). */
  respawn(): void;
  /** Files written for it that hold secrets (removed at stop). */
  secretFiles?: string[];
  /** An edge under `wrangler dev`: its debugger's address (DevTools protocol). */
  inspectorUrl?: string;
}

class Processes {
  readonly list: Proc[] = [];
  private readonly cleanups: Array<() => void> = [];
  private out = '';
  /** inherit: the processes write to this terminal; ignore: their output is dropped (benchmarks). */
  constructor(private readonly mode: 'pipe' | 'inherit' | 'ignore') {}

  output(): string {
    return this.out;
  }

  spawn(name: string, url: string, command: string, args: string[], env: NodeJS.ProcessEnv): Proc {
    const start = () => {
      const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', this.mode, this.mode] });
      const tag = (d: Buffer) => (this.out += d.toString().replace(/^(?=.)/gm, `[${name}] `));
      child.stdout?.on('data', tag);
      child.stderr?.on('data', tag);
      // A process that ends by itself (not killed, not stopped) says so, with its last output.
      child.once('exit', (code, signal) => {
        if (child.killed || this.mode !== 'pipe') return;
        process.stderr.write(`[${name}] exited by itself (${signal ?? code}); its last output:\n${this.out.slice(-6000)}\n`);
      });
      return child;
    };
    const proc: Proc = { name, url, child: start(), respawn: () => void (proc.child = start()) };
    this.list.push(proc);
    return proc;
  }

  /** Waits until the process answers `path` (with 200 when `ok`: not merely something on its port). */
  async waitFor(proc: Proc, path: string, ms: number, ok = false): Promise<void> {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      if (proc.child.exitCode !== null) throw new Error(`${proc.name} exited (${proc.child.exitCode}):\n${this.out}`);
      try {
        const res = await fetch(`${proc.url}${path}`, { signal: AbortSignal.timeout(1000) });
        await res.body?.cancel();
        if (!ok || res.status === 200) return;
      } catch {}
      await new Promise((r) => setTimeout(r, 150));
    }
    throw new Error(`${proc.name} did not answer within ${ms} ms:\n${this.out}`);
  }

  /** Runs at stop, after every process has exited (e.g. removes files holding secrets). */
  onStop(cleanup: () => void): void {
    this.cleanups.push(cleanup);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.list].reverse().map((p) => stopProcess(p.child)));
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }
}

export async function stopProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill(signal);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 8000))]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}

const token = () => randomBytes(24).toString('base64url');

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
  } catch {
    return 'unknown';
  }
}

/** IMGFLO_* and UPSTASH_* settings (and the AWS credentials) of an environment. */
function serviceSettings(env: Record<string, string | undefined>): Env {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string' && /^(IMGFLO_|UPSTASH_|AWS_ACCESS_KEY_ID$|AWS_SECRET_ACCESS_KEY$)/.test(e[0])),
  );
}

/**
 * A backend process: from the TypeScript sources, or from the bundle of `npm run build:backend`
 * (as the image runs it; the tests' stacks do, IMGFLO_STACK_BUNDLE=1).
 */
function spawnBackend(procs: Processes, name: string, port: number, env: Env, bundle = process.env.IMGFLO_STACK_BUNDLE === '1', nodeArgs: string[] = []): Proc {
  return procs.spawn(name, `http://127.0.0.1:${port}`, process.execPath, [...nodeArgs, ...(bundle ? ['dist/main.mjs'] : ['--import', 'tsx', 'worker/main.ts'])], {
    ...process.env,
    // glibc's allocator fragments under sharp's threads; few arenas keep RSS flat (as the image does).
    MALLOC_ARENA_MAX: '2',
    ...env,
    IMGFLO_PORT: String(port),
    IMGFLO_INSTANCE_ID: name,
  });
}

/**
 * The edge under `wrangler dev`; with `devtools: false`, on wrangler's dev server without the
 * devtools relay (scripts/edge-dev.mjs), as the benchmark runs it.
 */
function spawnEdge(procs: Processes, name: string, port: number, env: Env, stateDir: string, o: { inspectorPort?: number; devtools?: boolean; logs?: boolean } = {}): Proc {
  // Secrets reach wrangler through an env file (0600, in a directory of its own, 0700), not the
  // command line; the directory is removed when the stack stops.
  const dir = mkdtempSync(join(tmpdir(), 'imgflo-edge-'));
  procs.onStop(() => rmSync(dir, { recursive: true, force: true }));
  const envFile = join(dir, 'edge.env');
  const edgeEnv = Object.entries(env).filter(([k]) => !k.startsWith('AWS_'));
  writeFileSync(envFile, edgeEnv.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 });
  const [command, args] = edgeCommand({ port, envFile, persist: stateDir, devtools: o.devtools ?? true, inspectorPort: o.inspectorPort, logs: o.logs });
  return Object.assign(procs.spawn(name, `http://127.0.0.1:${port}`, command, args, wranglerEnv()), {
    secretFiles: [envFile],
    ...(o.inspectorPort && (o.devtools ?? true) && { inspectorUrl: `http://127.0.0.1:${o.inspectorPort}` }),
  });
}

/**
 * The command that serves a Worker on loopback: `wrangler dev`, or with `devtools: false`
 * scripts/edge-dev.mjs (wrangler's dev server without the devtools relay).
 */
export function edgeCommand(o: { port: number; devtools: boolean; config?: string; envFile?: string; persist?: string; inspectorPort?: number; logs?: boolean }): [string, string[]] {
  // `log` lets the edge's own JSON lines (console.log) through, with wrangler's request lines.
  const level = o.logs ? 'log' : 'warn';
  const given = [...(o.config ? ['--config', o.config] : []), ...(o.envFile ? ['--env-file', o.envFile] : []), '--log-level', level];
  if (!o.devtools) {
    return [process.execPath, [join(ROOT, 'scripts', 'edge-dev.mjs'), '--port', String(o.port), ...given, ...(o.persist ? ['--persist', o.persist] : [])]];
  }
  const args = ['dev', '--ip', '127.0.0.1', '--port', String(o.port), '--show-interactive-dev-session=false', ...given];
  if (o.persist) args.push('--persist-to', o.persist);
  if (o.inspectorPort) args.push('--inspector-port', String(o.inspectorPort));
  return [join(ROOT, 'node_modules', '.bin', 'wrangler'), args];
}

/** The environment of a wrangler process: offline (no metrics, no cf fetch), its state in the repo. */
export function wranglerEnv(): NodeJS.ProcessEnv {
  const configHome = join(ROOT, '.config');
  mkdirSync(configHome, { recursive: true });
  return {
    ...process.env,
    WRANGLER_SEND_METRICS: 'false',
    WRANGLER_SEND_ERROR_REPORTS: 'false',
    CLOUDFLARE_CF_FETCH_ENABLED: 'false',
    XDG_CONFIG_HOME: configHome,
    CI: 'true',
  };
}

async function started<T>(procs: Processes, waits: Array<Promise<void>>, value: T): Promise<T> {
  try {
    await Promise.all(waits);
    return value;
  } catch (e) {
    await procs.stopAll();
    throw e;
  }
}

export interface StackOptions {
  edgePort: number;
  backendPort: number;
  /** Settings for both sides; default: this process's environment. Tokens are generated when absent. */
  env?: Record<string, string | undefined>;
  dataDir?: string;
  inheritOutput?: boolean;
  /** The edge's debugger port (wrangler's default, 9229, when absent). */
  inspectorPort?: number;
  /** false: the edge runs without wrangler dev's devtools relay (scripts/edge-dev.mjs). */
  devtools?: boolean;
  /** The edge's own log lines reach the output. */
  edgeLogs?: boolean;
}

export interface Stack {
  edgeUrl: string;
  backendUrl: string;
  backend: Proc;
  edge: Proc;
  env: Env;
  output(): string;
  stop(): Promise<void>;
}

/** Thrown before anything starts when a port is taken: its message names the port and its variable. */
export class PortTaken extends Error {}

/** Resolves when `port` is free on loopback; rejects with PortTaken when another program holds it. */
export function ensureFree(port: number, variable: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'EADDRINUSE' ? new PortTaken(portInUse(port, variable)) : e));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
  });
}

export async function startStack(o: StackOptions): Promise<Stack> {
  // Nothing starts on a taken port: the edge's dev server would die later, the backend's
  // health check could be answered by the other program.
  await ensureFree(o.backendPort, 'IMGFLO_PORT');
  await ensureFree(o.edgePort, 'IMGFLO_EDGE_PORT');
  const given = serviceSettings(o.env ?? process.env);
  const backendUrl = `http://127.0.0.1:${o.backendPort}`;
  const edgeUrl = `http://127.0.0.1:${o.edgePort}`;
  const s3Public = given.IMGFLO_S3_BUCKET && given.IMGFLO_S3_ENDPOINT ? `${given.IMGFLO_S3_ENDPOINT.replace(/\/+$/, '')}/${given.IMGFLO_S3_BUCKET}` : null;
  const env: Env = {
    IMGFLO_BRIDGE_URL: backendUrl,
    UPSTASH_REDIS_REST_URL: `${backendUrl}/upstash`,
    IMGFLO_PUBLIC_BASE_URL: s3Public ?? `${backendUrl}/cache`,
    IMGFLO_BRIDGE_TOKEN: token(),
    UPSTASH_REDIS_REST_TOKEN: token(),
    IMGFLO_COMMIT: gitCommit(),
    IMGFLO_DATA_DIR: o.dataDir ?? mkdtempSync(join(tmpdir(), 'imgflo-data-')),
    ...given,
    IMGFLO_ROLE: 'all',
  };
  const procs = new Processes(o.inheritOutput ? 'inherit' : 'pipe');
  const backend = spawnBackend(procs, 'backend', o.backendPort, env);
  const edge = spawnEdge(procs, 'edge', o.edgePort, env, join(env.IMGFLO_DATA_DIR!, 'wrangler-state'), { inspectorPort: o.inspectorPort, devtools: o.devtools, logs: o.edgeLogs });
  return started(procs, [procs.waitFor(backend, '/health', 30_000), procs.waitFor(edge, '/version', 60_000, true)], {
    edgeUrl,
    backendUrl,
    backend,
    edge,
    env,
    output: () => procs.output(),
    stop: () => procs.stopAll(),
  });
}

export interface DistributedOptions {
  redisUrl: string;
  amqpUrl: string;
  s3: { endpoint: string; bucket: string; accessKeyId: string; secretAccessKey: string };
  bridges: number;
  workers: number;
  ports: () => Promise<number>;
  env?: Env;
  /** Drop the processes' output instead of keeping it for output(). */
  quiet?: boolean;
  /** false: the edges run without wrangler dev's devtools relay (see scripts/edge-dev.mjs). */
  edgeDevtools?: boolean;
  /** Run the backend processes from dist/main.mjs (build it first with `npm run build:backend`). */
  bundle?: boolean;
  /** Settings of worker i (from 1) on top of the others', e.g. another graphs folder. */
  workerEnv?: (i: number) => Env;
  /** Node's own options for the workers (e.g. the CPU profiler's). */
  workerNodeArgs?: string[];
  /** More edges in front of the first bridge, each with these settings on top (e.g. another delivery). */
  extraEdges?: Env[];
}

export interface DistributedStack {
  edges: Proc[];
  bridges: Proc[];
  workers: Proc[];
  proxy: Proc;
  env: Env;
  /** Starts one more worker (a scale-out), as the others were; resolves once it is spawned, not ready. */
  addWorker(): Promise<Proc>;
  output(): string;
  stop(): Promise<void>;
}

export async function startDistributedStack(o: DistributedOptions): Promise<DistributedStack> {
  const procs = new Processes(o.quiet ? 'ignore' : 'pipe');
  const proxyPort = await o.ports();
  const env: Env = {
    IMGFLO_REDIS_URL: o.redisUrl,
    IMGFLO_AMQP_URL: o.amqpUrl,
    IMGFLO_S3_ENDPOINT: o.s3.endpoint,
    IMGFLO_S3_BUCKET: o.s3.bucket,
    AWS_ACCESS_KEY_ID: o.s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: o.s3.secretAccessKey,
    IMGFLO_PUBLIC_BASE_URL: `${o.s3.endpoint}/${o.s3.bucket}`,
    UPSTASH_REDIS_REST_URL: `http://127.0.0.1:${proxyPort}/upstash`,
    UPSTASH_REDIS_REST_TOKEN: token(),
    IMGFLO_BRIDGE_TOKEN: token(),
    IMGFLO_COMMIT: gitCommit(),
    IMGFLO_LOG_LEVEL: 'warn',
    ...o.env,
  };
  const dataDir = mkdtempSync(join(tmpdir(), 'imgflo-dist-'));
  const proxy = spawnBackend(procs, 'upstash-proxy', proxyPort, { ...env, IMGFLO_ROLE: 'upstash-proxy' }, o.bundle);
  const bridges: Proc[] = [];
  const workers: Proc[] = [];
  const edges: Proc[] = [];
  const addWorker = async () => {
    const i = workers.length + 1;
    const worker = spawnBackend(procs, `worker-${i}`, await o.ports(), { ...env, ...o.workerEnv?.(i), IMGFLO_ROLE: 'worker' }, o.bundle, o.workerNodeArgs);
    workers.push(worker);
    return worker;
  };
  for (let i = 1; i <= o.workers; i++) await addWorker();
  const devtools = o.edgeDevtools ?? true;
  const addEdge = async (name: string, edgeEnv: Env) =>
    edges.push(spawnEdge(procs, name, await o.ports(), edgeEnv, join(dataDir, name), { devtools, ...(devtools && { inspectorPort: await o.ports() }) }));
  for (let i = 1; i <= o.bridges; i++) {
    const bridge = spawnBackend(procs, `bridge-${i}`, await o.ports(), { ...env, IMGFLO_ROLE: 'bridge' }, o.bundle);
    bridges.push(bridge);
    await addEdge(`edge-${i}`, { ...env, IMGFLO_BRIDGE_URL: bridge.url });
  }
  for (const [i, extra] of (o.extraEdges ?? []).entries()) await addEdge(`edge-extra-${i + 1}`, { ...env, IMGFLO_BRIDGE_URL: bridges[0]!.url, ...extra });
  const waits = [proxy, ...workers, ...bridges].map((p) => procs.waitFor(p, '/health', 30_000));
  waits.push(...edges.map((p) => procs.waitFor(p, '/version', 90_000, true)));
  return started(procs, waits, { edges, bridges, workers, proxy, env, addWorker, output: () => procs.output(), stop: () => procs.stopAll() });
}
