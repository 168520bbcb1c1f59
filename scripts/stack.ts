/**
 * Starts the whole local stack as real processes: the backend (embedded mode) and the edge
 * under `wrangler dev`, wired together with fresh tokens. Used by `npm start` and the
 * end-to-end tests; stop() ends both.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface StackOptions {
  edgePort: number;
  backendPort: number;
  /** IMGFLO_* and UPSTASH_* settings for both sides (tokens are generated when absent). */
  env?: Record<string, string | undefined>;
  /** Where the backend keeps its results (a fresh temporary folder when absent). */
  dataDir?: string;
  /** Pass the processes' output through (npm start) or keep it in memory (tests). */
  inheritOutput?: boolean;
}

export interface Stack {
  edgeUrl: string;
  backendUrl: string;
  env: Record<string, string>;
  output(): string;
  stop(): Promise<void>;
}

const token = () => randomBytes(24).toString('base64url');

function gitCommit(): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

async function waitFor(url: string, child: ChildProcess, ms: number, log: () => string): Promise<void> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (child.exitCode !== null) throw new Error(`process for ${url} exited (${child.exitCode}):\n${log()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 150));
    }
  }
  throw new Error(`${url} did not answer within ${ms} ms:\n${log()}`);
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const given = Object.fromEntries(
    Object.entries(o.env ?? process.env).filter(
      (e): e is [string, string] => typeof e[1] === 'string' && /^(IMGFLO_|UPSTASH_)/.test(e[0]),
    ),
  );
  const backendUrl = `http://127.0.0.1:${o.backendPort}`;
  const edgeUrl = `http://127.0.0.1:${o.edgePort}`;
  const env: Record<string, string> = {
    IMGFLO_BRIDGE_URL: backendUrl,
    UPSTASH_REDIS_REST_URL: `${backendUrl}/upstash`,
    IMGFLO_PUBLIC_BASE_URL: `${backendUrl}/cache`,
    IMGFLO_SERVICE_URL: edgeUrl,
    IMGFLO_BRIDGE_TOKEN: token(),
    UPSTASH_REDIS_REST_TOKEN: token(),
    IMGFLO_COMMIT: gitCommit(),
    IMGFLO_DATA_DIR: o.dataDir ?? mkdtempSync(join(tmpdir(), 'imgflo-data-')),
    ...given,
    IMGFLO_PORT: String(o.backendPort),
    IMGFLO_EDGE_PORT: String(o.edgePort),
  };

  let output = '';
  const stdio = o.inheritOutput ? 'inherit' : 'pipe';
  const collect = (child: ChildProcess) => {
    child.stdout?.on('data', (d) => (output += d));
    child.stderr?.on('data', (d) => (output += d));
  };

  const backend = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdio, stdio],
  });
  collect(backend);

  const configHome = join(ROOT, '.config');
  mkdirSync(configHome, { recursive: true });
  const envFile = join(mkdtempSync(join(tmpdir(), 'imgflo-edge-')), 'edge.env');
  writeFileSync(envFile, Object.entries(env).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n') + '\n', { mode: 0o600 });
  const edge = spawn(
    join(ROOT, 'node_modules', '.bin', 'wrangler'),
    ['dev', '--ip', '127.0.0.1', '--port', String(o.edgePort), '--show-interactive-dev-session=false', '--env-file', envFile, '--persist-to', join(env.IMGFLO_DATA_DIR!, 'wrangler-state'), '--log-level', 'warn'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        WRANGLER_SEND_METRICS: 'false',
        WRANGLER_SEND_ERROR_REPORTS: 'false',
        CLOUDFLARE_CF_FETCH_ENABLED: 'false',
        XDG_CONFIG_HOME: configHome,
        CI: 'true',
      },
      stdio: ['ignore', stdio, stdio],
    },
  );
  collect(edge);

  const stop = async () => {
    for (const child of [edge, backend]) {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
    }
  };
  try {
    await waitFor(`${backendUrl}/health`, backend, 30_000, () => output);
    await waitFor(`${edgeUrl}/version`, edge, 60_000, () => output);
  } catch (e) {
    await stop();
    throw e;
  }
  return { edgeUrl, backendUrl, env, output: () => output, stop };
}
