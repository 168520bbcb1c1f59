/**
 * `npm start`'s shape: the edge on wrangler's dev server without the devtools relay (as the
 * benchmark runs it, and cheaper), and the edge's own log lines still in the output.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from '../scripts/stack.ts';
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
