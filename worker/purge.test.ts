/**
 * Purging, in process: the index and store adapters in memory, and a local HTTP server in the
 * place of Cloudflare's purge API, which checks the request a purge sends it.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphTag, inputTag } from '../shared/cache-tags.ts';
import { MemoryCacheIndex } from '../shared/memory/cache-index.ts';
import { MemoryKv } from '../shared/memory/kv.ts';
import { MemoryObjectStore } from '../shared/memory/object-store.ts';
import { currentResult, sweep, SWEEP_GRACE_MS } from './results.ts';
import { purge, type PurgeDeps } from './purge.ts';

const TOKEN = 'cf-api-token-0123456789';
let api: Server;
let apiUrl = '';
let answer = 200;
const asked: Array<{ method: string; url: string; auth: string | undefined; body: unknown }> = [];

beforeAll(async () => {
  api = createServer((req: IncomingMessage, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      asked.push({ method: req.method!, url: req.url!, auth: req.headers.authorization, body: JSON.parse(text) });
      const ok = answer === 200 && req.headers.authorization === `Bearer ${TOKEN}`;
      res.writeHead(ok ? 200 : answer, { 'content-type': 'application/json' }).end(JSON.stringify(ok ? { success: true, errors: [] } : { success: false, errors: [{ code: 10000, message: 'Authentication error' }] }));
    });
  });
  await new Promise<void>((r) => api.listen(0, '127.0.0.1', r));
  apiUrl = `http://127.0.0.1:${(api.address() as { port: number }).port}/client/v4`;
});
afterAll(() => new Promise<void>((r) => api.close(() => r())));

async function withResults(): Promise<PurgeDeps> {
  const index = new MemoryCacheIndex(new MemoryKv());
  const store = new MemoryObjectStore();
  for (const [key, graph, input] of [['a'.repeat(40), 'crop', 'files/gridbear.jpg'], ['b'.repeat(40), 'passthrough', 'files/gridbear.jpg']] as const) {
    const objectKey = `p/${key}/0123456789abcdef.jpg`;
    await index.set(key, objectKey, 3600);
    await store.put(objectKey, new Uint8Array([1, 2, 3]), 'image/jpeg');
    await index.recordLineage({ key, objectKey, graph, input });
  }
  return { index, store, graphs: new Set(['crop', 'passthrough', 'resize']), cdn: { zoneId: 'zone0123', apiToken: TOKEN, apiUrl }, now: Date.now };
}

describe('purge', () => {
  it('asks the CDN to purge the graph’s tag, and the input’s, with the token in the header only', async () => {
    const deps = await withResults();
    asked.length = 0;
    const byGraph = await purge(deps, { graph: 'crop' });
    expect(byGraph).toMatchObject({ graph: 'crop', purged: 1, cdn: { purged: true, tags: [graphTag('crop')] } });
    const byInput = await purge(deps, { input: 'files/gridbear.jpg' });
    // The input's lineage still lists crop's result (purged already; deleting it again is harmless).
    expect(byInput).toMatchObject({ purged: 2, cdn: { purged: true, tags: [await inputTag('files/gridbear.jpg')] } });
    expect(asked).toEqual([
      { method: 'POST', url: '/client/v4/zones/zone0123/purge_cache', auth: `Bearer ${TOKEN}`, body: { tags: ['imgflo:graph:crop'] } },
      { method: 'POST', url: '/client/v4/zones/zone0123/purge_cache', auth: `Bearer ${TOKEN}`, body: { tags: [await inputTag('files/gridbear.jpg')] } },
    ]);
    expect(JSON.stringify([byGraph, byInput])).not.toContain(TOKEN);
  });

  it('says when the CDN refused, still purging the index and the store; a dry run asks nothing', async () => {
    const deps = await withResults();
    asked.length = 0;
    expect(await purge(deps, { graph: 'crop', dryRun: true })).not.toHaveProperty('cdn');
    expect(asked).toEqual([]);
    answer = 403;
    const refused = await purge(deps, { graph: 'crop' });
    answer = 200;
    expect(refused).toMatchObject({ purged: 1, cdn: { purged: false, error: 'the CDN answered 403: Authentication error' } });
    expect(await deps.index.get('a'.repeat(40))).toBeNull();
    const unreachable = await purge({ ...deps, cdn: { ...deps.cdn!, apiUrl: 'http://127.0.0.1:9' } }, { graph: 'passthrough' });
    expect(unreachable.cdn).toMatchObject({ purged: false, error: expect.stringMatching(/did not answer/) });
  });

  it('keeps a purged object readable and out of use until the sweep removes it after the redirects\' max-age', async () => {
    const deps = await withResults();
    const objectKey = `p/${'a'.repeat(40)}/0123456789abcdef.jpg`;
    await purge({ ...deps, cdn: null }, { graph: 'crop' });
    expect(await deps.index.get('a'.repeat(40))).toBeNull();
    // A redirect kept by a browser still leads to the old bytes …
    expect(await deps.store.get(objectKey)).toMatchObject({ body: new Uint8Array([1, 2, 3]) });
    // … but a worker that finds it in storage does not take it back into use.
    expect(await currentResult(deps.store, 'p', 'a'.repeat(40))).toBeNull();
    expect(await sweep(deps.store, 3600, Date.now())).toEqual([]);
    expect(await sweep(deps.store, 3600, Date.now() + 3_600_000 + SWEEP_GRACE_MS)).toEqual([objectKey]);
    expect(await deps.store.get(objectKey)).toBeNull();
  });

  it('refuses a graph name no graph has and no result records, and purges a known graph without results', async () => {
    const deps = await withResults();
    await expect(purge(deps, { graph: 'crpo' })).rejects.toMatchObject({ status: 404, reason: 'unknown-graph' });
    expect(await purge({ ...deps, cdn: null }, { graph: 'resize' })).toMatchObject({ purged: 0 });
  });
});
