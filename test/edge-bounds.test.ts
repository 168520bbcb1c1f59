/**
 * What an outside client can make the edge hold or skip, against the running service (workerd
 * under wrangler dev, the embedded backend): API keys of any length with the app registry on,
 * and the rate limit on the embedded store, whatever address headers a client sends.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { treeRssMb } from './helpers/process-tree.ts';
import { startStack } from '../scripts/stack.ts';
import { freePort, startTestStack } from './helpers/stack.ts';

const ROOT = new URL('../', import.meta.url).pathname;

/** `count` requests, `concurrency` at a time; their statuses. */
async function sendAll(count: number, concurrency: number, url: (i: number) => string): Promise<number[]> {
  const statuses: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const res = await fetch(url(next++), { redirect: 'manual' });
        await res.arrayBuffer();
        statuses.push(res.status);
      }
    }),
  );
  return statuses;
}

describe('API keys with the app registry on', () => {
  let stack: Stack;
  afterAll(() => stack?.stop());

  it('refuses keys of 50 KB with 403, and answers 3 000 distinct keys of the longest length', async () => {
    // As `npm start` runs it: wrangler's dev server without the devtools relay, whose inspector
    // would keep every console line of the isolate.
    stack = await startStack({ edgePort: await freePort(), backendPort: await freePort(), devtools: false, env: { IMGFLO_LOG_LEVEL: 'warn', IMGFLO_APP_REGISTRY: '1' } });
    const token = 'A'.repeat(43);
    const url = (key: string) => `${stack.edgeUrl}/graph/${key}/${token}/crop.png?input=files%2Fgridbear.jpg`;
    const long = await sendAll(300, 10, (i) => url(`${i}-`.padEnd(50_000, 'k')));
    expect(new Set(long)).toEqual(new Set([403]));
    await sendAll(300, 10, (i) => url(`warm${i}-`.padEnd(128, 'w')));
    // What workerd grows by over requests that keep nothing (one key, known after the first),
    // beside requests that each add an entry to the app cache (bounded at 2 MB): printed, not
    // asserted, as workerd's dev runtime grows by tens of MB over 3 000 requests of either kind
    // (and of /version); the bound itself is asserted in edge/apps.test.ts.
    const pid = stack.edge.child.pid!;
    const at0 = treeRssMb(pid);
    const same = await sendAll(1000, 10, () => url('same-'.padEnd(128, 's')));
    const at1 = treeRssMb(pid);
    const distinct = await sendAll(3000, 10, (i) => url(`${i}-`.padEnd(128, 'k')));
    const at2 = treeRssMb(pid);
    console.log(`[edge memory] per 1 000 requests of one key: +${(at1 - at0).toFixed(0)} MB; per 1 000 of 3 000 distinct keys: +${((at2 - at1) / 3).toFixed(0)} MB`);
    expect(new Set([...same, ...distinct])).toEqual(new Set([403]));
  }, 180_000);
});

describe('the rate limit on the embedded default', () => {
  let stack: Stack;
  afterAll(() => stack?.stop());

  it('answers 429 past the limit, whatever address a client claims', async () => {
    stack = await startTestStack({ IMGFLO_RATE_LIMIT: '5/60s' });
    const statuses = [];
    for (let i = 0; i < 8; i++) {
      const res = await fetch(`${stack.edgeUrl}/graph/passthrough?input=files%2Fgridbear.jpg&width=${40 + i}`, {
        redirect: 'manual',
        headers: { 'CF-Connecting-IP': `203.0.113.${i}`, 'X-Forwarded-For': `198.51.100.${i}` },
      });
      statuses.push(res.status);
      if (res.status === 429) {
        expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
        expect(await res.json()).toMatchObject({ code: 429, reason: 'rate-limited' });
      } else {
        await res.arrayBuffer();
      }
    }
    expect(statuses.slice(0, 5)).toEqual([301, 301, 301, 301, 301]);
    expect(statuses.slice(5)).toEqual([429, 429, 429]);
    expect(stack.output()).not.toMatch(/evalsha|rate limiter unavailable/i);
  }, 120_000);
});

describe('pre-warming with auth off', () => {
  let stack: Stack;
  afterAll(() => stack?.stop());

  it('refuses some of 150 distinct POSTs at once with 503 past IMGFLO_MAX_BACKGROUND_QUEUE=40, and processes every 202', async () => {
    stack = await startTestStack({ IMGFLO_MAX_BACKGROUND_QUEUE: '40' });
    const url = (i: number) => `${stack.edgeUrl}/graph/passthrough.png?input=files%2Fgridbear.jpg&width=${20 + i}`;
    const answers = await Promise.all(
      Array.from({ length: 150 }, async (_, i) => {
        const res = await fetch(url(i), { method: 'POST', redirect: 'manual' });
        const body = (await res.json()) as { reason?: string };
        return { i, status: res.status, reason: body.reason, retryAfter: res.headers.get('retry-after') };
      }),
    );
    const accepted = answers.filter((a) => a.status === 202);
    const refused = answers.filter((a) => a.status === 503);
    console.log(`[background bound] 150 POSTs: ${accepted.length} accepted, ${refused.length} refused`);
    expect(accepted.length + refused.length).toBe(150);
    expect(refused.length).toBeGreaterThan(0);
    expect(accepted.length).toBeGreaterThanOrEqual(40);
    for (const r of refused) expect([r.reason, Number(r.retryAfter)]).toEqual(['unavailable', 2]);
    // Every accepted pre-warm is processed: each URL answers from the cache in the end.
    const deadline = Date.now() + 60_000;
    let waiting = accepted.map((a) => a.i);
    while (waiting.length > 0 && Date.now() < deadline) {
      const still = [];
      for (const i of waiting) {
        const res = await fetch(url(i), { method: 'HEAD', redirect: 'manual' });
        if (res.status !== 301) still.push(i);
      }
      waiting = still;
      if (waiting.length > 0) await new Promise((r) => setTimeout(r, 500));
    }
    expect(waiting).toEqual([]);

    // `imgflo prewarm` waits as a 503 asks and sends again: all of 120 more URLs end ready.
    const list = join(mkdtempSync(join(tmpdir(), 'imgflo-bounded-')), 'urls.txt');
    writeFileSync(list, Array.from({ length: 120 }, (_, i) => url(200 + i)).join('\n'));
    const { stdout } = await promisify(execFile)(process.execPath, [join(ROOT, 'bin/imgflo.mjs'), 'prewarm', list, '--concurrency', '120', '--wait', '120'], { env: { ...process.env, IMGFLO_API_SERVER: stack.edgeUrl } });
    expect(stdout.trim().split('\n').at(-1)).toMatch(/^120 URLs in [\d.]+ s: 120 ready, 0 failed$/);
  }, 240_000);
});
