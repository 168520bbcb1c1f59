/**
 * `npm start`'s shape: the edge on wrangler's dev server without the devtools relay (as the
 * benchmark runs it, and cheaper), and the edge's own log lines still in the output; a start on
 * a taken port refused in one line; the banner's commands.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, startStack, type Stack } from '../scripts/stack.ts';
import { freePort } from './helpers/stack.ts';

describe('npm start', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ edgePort: await freePort(), backendPort: await freePort(), devtools: false, edgeLogs: true, env: { IMGFLO_LOG_LEVEL: 'warn' } });
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it('serves without the devtools relay and shows the edge access lines', async () => {
    const res = await fetch(`${stack.edgeUrl}/graph/passthrough.png?input=files%2Fgridbear.jpg&width=40`, { redirect: 'manual', headers: { 'x-request-id': 'start-test-1' } });
    expect(res.status).toBe(301);
    await expect.poll(() => stack.output(), { timeout: 10_000 }).toMatch(/"msg":"request","requestId":"start-test-1".*"status":301/);
    expect(stack.edge.child.spawnargs.join(' ')).toMatch(/edge-dev\.mjs .*--log-level log/);
  });
});

/**
 * Runs `npm start`'s script with `env`, until it exits or prints its banner (then Ctrl-C). It
 * leads a process group of its own, killed whole once it exits: a stop cut short on a busy
 * machine (the timer) leaves no backend or edge of it running after the test.
 */
function runStart(env: Record<string, string>, ms = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], { cwd: ROOT, detached: true, env: { ...process.env, IMGFLO_DATA_DIR: mkdtempSync(join(tmpdir(), 'imgflo-start-')), IMGFLO_LOG_LEVEL: 'warn', ...env } });
    const killGroup = () => {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        // Nothing of it is left.
      }
    };
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      if (stdout.includes('Ctrl-C stops both')) child.kill('SIGINT');
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(killGroup, ms);
    child.once('exit', (code) => {
      clearTimeout(timer);
      killGroup();
      resolve({ code, stdout, stderr });
    });
  });
}

describe('npm start on a port another program holds', () => {
  const held: Server[] = [];
  const hold = async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    held.push(server);
    return (server.address() as AddressInfo).port;
  };
  afterAll(() => Promise.all(held.map((s) => new Promise((r) => s.close(r)))));

  it.each([
    ['IMGFLO_PORT', 'the backend'],
    ['IMGFLO_EDGE_PORT', 'the edge'],
  ])('refuses to start when %s (%s) is taken: one line naming the port and the variable, exit 1, no banner', async (variable) => {
    const taken = await hold();
    const other = variable === 'IMGFLO_PORT' ? 'IMGFLO_EDGE_PORT' : 'IMGFLO_PORT';
    const started = Date.now();
    const { code, stdout, stderr } = await runStart({ [variable]: String(taken), [other]: String(await freePort()) });
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`imgflo did not start: ${variable}: port ${taken} is in use by another program; stop it, or set ${variable} to a free port (e.g. ${variable}=${taken + 1})`);
    expect(stdout).not.toMatch(/imgflo is running/);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 30_000);

  it('the backend alone, on a taken port, says so in one line and exits 2', async () => {
    const taken = await hold();
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'worker/main.ts'], { cwd: ROOT, env: { ...process.env, IMGFLO_PORT: String(taken), IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16), IMGFLO_LOG_LEVEL: 'silent', IMGFLO_DATA_DIR: mkdtempSync(join(tmpdir(), 'imgflo-start-')) }, encoding: 'utf8', timeout: 30_000 });
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(`IMGFLO_PORT: port ${taken} is in use by another program; stop it, or set IMGFLO_PORT to a free port (e.g. IMGFLO_PORT=${taken + 1})`);
  }, 40_000);

  it('prints a purge command that reaches its own backend, wherever IMGFLO_PORT put it', async () => {
    const port = await freePort();
    const { stdout } = await runStart({ IMGFLO_PORT: String(port), IMGFLO_EDGE_PORT: String(await freePort()) });
    expect(stdout).toContain(`node bin/imgflo.mjs purge --backend http://127.0.0.1:${port} --graph NAME`);
  }, 90_000);
});
