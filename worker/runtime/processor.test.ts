/**
 * Processing isolation: image work runs in processes that are killed at the deadline (native
 * work included), every bound is checked before the work it bounds, and decoder failures come
 * out typed. Each test runs the real pool (processor.ts) on real sharp.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveRequest } from '../../shared/request.ts';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { bombPng, costlySvgs, craftedGif } from '../../test/helpers/crafted.ts';
import { treeCpu, treeCpuSince, treeRssMb, processExists } from '../../test/helpers/process-tree.ts';
import { loadCatalogue } from '../catalogue.ts';
import { graphImage, imageInports } from '../../shared/graph/compile.ts';
import { checkPlan } from './process-image.ts';
import { runTask } from '../runtimes/index.ts';
import { contentDigest } from './digest.ts';
import { FILE_HANDOFF_BYTES, HANDOFF_FOLDER } from './handoff.ts';
import { createProcessor, type Processor } from './processor.ts';

const root = new URL('../../', import.meta.url).pathname;
const jpg = readFileSync(`${root}examples/gridbear.jpg`);
const TIMEOUT_MS = 2500;
const MEMORY_LIMIT_MB = 1536;
let catalogue: Catalogue;
let processor: Processor;
beforeAll(async () => {
  catalogue = await loadCatalogue(`${root}graphs`);
  processor = createProcessor(2, TIMEOUT_MS, { memoryLimitMb: MEMORY_LIMIT_MB });
});
afterAll(() => processor.close());

const task = (graph: string, query: Record<string, string>, input: Uint8Array | null, ext = 'png', limits: { maxInputPixels?: number; maxFrames?: number } = {}) => {
  const entry = catalogue.get(graph)!;
  const req = resolveRequest(entry, ext, Object.entries(query), { sizeLimitMegapixels: 25 });
  return {
    entry,
    params: req.params,
    input,
    outtype: req.outtype ?? 'png',
    limits: { maxInputPixels: limits.maxInputPixels ?? 1e8, maxFrames: limits.maxFrames ?? 200, deadline: Date.now() + TIMEOUT_MS },
  };
};

/** The worst gap between ticks of a 5-ms timer while `work` runs: how long the loop was held. */
async function loopLag<T>(work: Promise<T>): Promise<{ lag: number; outcome: PromiseSettledResult<T> }> {
  let lag = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    lag = Math.max(lag, now - last - 5);
    last = now;
  }, 5);
  const [outcome] = await Promise.allSettled([work]);
  clearInterval(timer);
  return { lag, outcome };
}

describe('processing in processes', () => {
  it('stops a job that runs past its deadline with 422 processing-timeout, and the serving thread never waits', async () => {
    const started = Date.now();
    // Motion blur in JavaScript over 25 MP with the largest length: minutes of work.
    const { lag, outcome } = await loopLag(processor.run(task('motionblur', { input: 'files/x.jpg', width: '4999', height: '5000', length: '1000' }, jpg)));
    const took = Date.now() - started;
    console.log(`[isolation] motion blur 25 MP: ended after ${took} ms (deadline ${TIMEOUT_MS} ms), worst event-loop lag ${lag.toFixed(1)} ms`);
    expect(outcome).toMatchObject({ status: 'rejected', reason: { status: 422, reason: 'processing-timeout' } });
    expect(took).toBeLessThan(TIMEOUT_MS + 1000);
    // Work on this thread would hold it for the whole deadline; a busy 2-core machine running other
    // test files beside this one delays a tick by a few hundred milliseconds at worst.
    expect(lag).toBeLessThan(TIMEOUT_MS / 4);
  });

  it('stops a Gaussian blur of the largest input at the deadline too, and the next job runs normally', async () => {
    const started = Date.now();
    const big = task('gaussianblur', { input: 'files/x.jpg', width: '4999', height: '5000', 'std-dev-x': '1500', 'std-dev-y': '1500' }, jpg);
    await expect(processor.run(big)).rejects.toMatchObject({ status: 422, reason: 'processing-timeout' });
    expect(Date.now() - started).toBeLessThan(TIMEOUT_MS + 1000);
    const out = await processor.run(task('passthrough', { input: 'files/x.jpg', width: '50' }, jpg));
    expect((await sharp(out.body).metadata()).width).toBe(50);
  });
});

describe('a pool whose memory follows the work', () => {
  it('keeps its warm processes, starts more when jobs wait, and stops those once idle', async () => {
    const pool = createProcessor(3, 20_000, { warm: 1, idleMs: 400 });
    try {
      await pool.ready();
      expect(pool.pids()).toHaveLength(1);
      // Three jobs at once: two more processes start for them, and every job is answered.
      const outs = await Promise.all([60, 61, 62].map((w) => pool.run(task('passthrough', { input: 'files/x.jpg', width: String(w) }, jpg))));
      expect(await Promise.all(outs.map(async (o) => (await sharp(o.body).metadata()).width))).toEqual([60, 61, 62]);
      expect(pool.pids().length).toBeGreaterThan(1);
      expect(pool.pids().length).toBeLessThanOrEqual(3);
      // Idle: back to one process (whichever went idle last).
      for (let i = 0; i < 100 && pool.pids().length > 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(pool.pids()).toHaveLength(1);
      await pool.ready();
      // And again when work comes.
      const again = await Promise.all([70, 71].map((w) => pool.run(task('passthrough', { input: 'files/x.jpg', width: String(w) }, jpg))));
      expect(again).toHaveLength(2);
    } finally {
      await pool.close();
    }
  });

  it('keeps its warm processes when one is killed at its deadline', async () => {
    const pool = createProcessor(2, 1000, { warm: 1, idleMs: 60_000 });
    try {
      await pool.ready();
      const slow = task('motionblur', { input: 'files/x.jpg', width: '4999', height: '5000', length: '1000' }, jpg);
      await expect(pool.run({ ...slow, limits: { ...slow.limits, deadline: Date.now() + 1000 } })).rejects.toMatchObject({ reason: 'processing-timeout' });
      await pool.ready();
      expect(pool.pids()).toHaveLength(1);
      expect((await sharp((await pool.run(task('passthrough', { input: 'files/x.jpg', width: '40' }, jpg))).body).metadata()).width).toBe(40);
    } finally {
      await pool.close();
    }
  });
});

describe('handing images to the processing process', () => {
  /** The files in this test process's pools' handoff folders, once their removal (not awaited by the pool) had a moment. */
  const handoffFiles = async () => {
    const files = () =>
      ['/dev/shm', tmpdir()].filter((d) => existsSync(d)).flatMap((d) => readdirSync(d).filter((f) => f.startsWith(`${HANDOFF_FOLDER}${process.pid}-`)).flatMap((f) => readdirSync(join(d, f))));
    for (let i = 0; i < 50 && files().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    return files();
  };

  it('hands a large input over in a file, answers with its digest, and leaves no file behind', async () => {
    // 4000×3000 of noise: a JPEG of several MB, far past the pipe's threshold.
    const big = await sharp(randomBytes(4000 * 3000 * 3), { raw: { width: 4000, height: 3000, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
    expect(big.byteLength).toBeGreaterThan(FILE_HANDOFF_BYTES * 4);
    const out = await processor.run(task('passthrough', { input: 'files/x.jpg', width: '80' }, big));
    expect((await sharp(out.body).metadata()).width).toBe(80);
    expect(out.digests.input).toBe(contentDigest(big));
    expect(await handoffFiles()).toEqual([]);
  });

  it('answers each image of a graph with its digest, small ones sent through the pipe', async () => {
    const overlay = await sharp({ create: { width: 40, height: 40, channels: 4, background: '#ff000080' } }).png().toBuffer();
    const entry = catalogue.get('watermark')!;
    const names = imageInports(entry.compiled);
    const t = task('watermark', { input: 'files/x.jpg', [names[0]!]: 'files/o.png' }, jpg);
    const out = await processor.run({ ...t, images: { [names[0]!]: overlay } });
    expect(out.digests).toEqual({ input: contentDigest(jpg), images: { [names[0]!]: contentDigest(overlay) } });
  });

  it('removes the file of a job killed at its deadline', async () => {
    const big = Buffer.concat([jpg, Buffer.alloc(FILE_HANDOFF_BYTES)]);
    await expect(processor.run(task('motionblur', { input: 'files/x.jpg', width: '4999', height: '5000', length: '1000' }, big))).rejects.toMatchObject({ reason: 'processing-timeout' });
    expect(await handoffFiles()).toEqual([]);
  });
});

/** Waits until `pid` is gone (a killed process is reaped). */
async function gone(pids: number[]): Promise<void> {
  for (let i = 0; i < 100 && pids.some((pid) => processExists(pid)); i++) await new Promise((r) => setTimeout(r, 20));
}

/** How long the pool is watched once a job was killed. */
const WINDOW_S = 1.5;

describe('native work past its deadline stops with its job', () => {
  // Within every documented limit, each is minutes of work inside librsvg, out of JavaScript's reach.
  it.each([
    ['2000² with 90 chained blurs', costlySvgs.blurs(2000, 90)],
    ['3000² with 200 chained blurs', costlySvgs.blurs(3000, 200)],
    ['49 998 rectangles over 3000²', costlySvgs.rectangles(3000, 49_998)],
    ['feTurbulence over 9000²', costlySvgs.turbulence(9000)],
  ])('an SVG of %s answers 4xx in time, then costs no CPU and no memory', async (_what, svg) => {
    // Both processes warm: the idle figure is the pool's, having worked.
    await processor.ready();
    const warm = await Promise.all([50, 51].map((w) => processor.run(task('passthrough', { input: 'files/x.jpg', width: String(w) }, jpg))));
    expect((await sharp(warm[0]!.body).metadata()).width).toBe(50);
    // The pool's memory: its processes' (this test process's own heap grows with the test's strings).
    const poolRssMb = () => processor.pids().reduce((sum, pid) => sum + treeRssMb(pid), 0);
    const idleMb = poolRssMb();
    const pidsBefore = processor.pids();
    const started = Date.now();
    const outcome = await Promise.allSettled([processor.run(task('passthrough', { input: 'files/x.svg' }, Buffer.from(svg)))]);
    const took = Date.now() - started;
    expect(outcome[0]).toMatchObject({ status: 'rejected', reason: { status: 422, reason: expect.stringMatching(/^(processing-timeout|size-limit)$/) } });
    expect(took).toBeLessThan(TIMEOUT_MS + 1000);
    // A normal job sent now answers as usual: the other process is free.
    const normalStarted = Date.now();
    const normal = await processor.run(task('passthrough', { input: 'files/x.jpg', width: '60' }, jpg));
    expect((await sharp(normal.body).metadata()).width).toBe(60);
    expect(Date.now() - normalStarted).toBeLessThan(1500);
    await gone(pidsBefore.filter((pid) => !processor.pids().includes(pid)));
    // The process that took the killed one's place has started, and costs nothing more.
    await processor.ready();
    // What the pool uses after the answer: the killed render's work is gone with its process
    // (still running, it would take a whole core: WINDOW_S CPU-seconds).
    const before = treeCpu(process.pid);
    await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
    const cpu = treeCpuSince(process.pid, before);
    const rss = poolRssMb();
    console.log(`[native deadline] ${_what}: answered in ${took} ms; then ${cpu.toFixed(2)} CPU-s in ${WINDOW_S} s, RSS ${rss.toFixed(0)} MB (idle ${idleMb.toFixed(0)} MB)`);
    expect(cpu).toBeLessThan(WINDOW_S / 2);
    expect(rss).toBeLessThan(idleMb + 50);
  }, 30_000);

  it('kills a job that holds more memory than the limit, with 422 size-limit', async () => {
    const small = createProcessor(1, 20_000, { memoryLimitMb: 300 });
    try {
      // 3000² RGBA in librsvg, then in libvips, then encoded: well over 300 MB.
      const started = Date.now();
      await expect(small.run({ ...task('passthrough', { input: 'files/x.svg' }, Buffer.from(costlySvgs.turbulence(9000))), limits: { maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + 20_000 } })).rejects.toMatchObject({ status: 422, reason: 'size-limit', extra: { limit: 300 } });
      expect(Date.now() - started).toBeLessThan(15_000);
      const out = await small.run({ ...task('passthrough', { input: 'files/x.jpg', width: '40' }, jpg), limits: { maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + 20_000 } });
      expect((await sharp(out.body).metadata()).width).toBe(40);
    } finally {
      await small.close();
    }
  }, 40_000);
});

describe('bounds before work', () => {
  it('refuses a crop of 65535×65535 with 422 size-limit before allocating it', async () => {
    const started = Date.now();
    await expect(processor.run(task('crop', { input: 'files/x.jpg', cropwidth: '65535', cropheight: '65535' }, jpg))).rejects.toMatchObject({ status: 422, reason: 'size-limit' });
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('stores noop\'s bytes unchanged only when their header is within the limits', async () => {
    const png = await sharp({ create: { width: 30, height: 20, channels: 3, background: '#123' } }).png().toBuffer();
    const same = await processor.run(task('noop', { input: 'files/x.png' }, png, 'png'));
    expect(Buffer.compare(Buffer.from(same.body), png)).toBe(0);
    // 900 MP in a few KB: refused from its header, before anything is stored.
    await expect(processor.run(task('noop', { input: 'files/x.png' }, bombPng(30_000, 30_000), 'png'))).rejects.toMatchObject({ status: 422, reason: 'input-pixels' });
    await expect(processor.run(task('noop', { input: 'files/x.gif' }, craftedGif(2000, 2000, 30), 'gif'))).rejects.toMatchObject({ status: 422, reason: 'input-pixels' });
  });

  it('counts frames × width × height of an animation against the pixel limit', async () => {
    await expect(processor.run(task('passthrough', { input: 'files/x.jpg' }, craftedGif(2000, 2000, 30), 'gif'))).rejects.toMatchObject({ status: 422, reason: 'input-pixels' });
    await expect(processor.run(task('passthrough', { input: 'files/x.jpg' }, craftedGif(20, 20, 30), 'gif', { maxFrames: 10 }))).rejects.toMatchObject({ status: 422, reason: 'input-pixels' });
    const ok = await processor.run(task('passthrough', { input: 'files/x.jpg' }, craftedGif(20, 20, 30), 'gif'));
    expect(await sharp(ok.body).metadata()).toMatchObject({ format: 'gif', pages: expect.any(Number) });
  });

  it('refuses an output larger than its encoder can write before encoding', async () => {
    const wide = { input: 'files/x.jpg', cropwidth: '20000', cropheight: '10' };
    await expect(processor.run(task('crop', wide, jpg, 'webp'))).rejects.toMatchObject({ status: 422, reason: 'size-limit' });
    // libjpeg writes at most 65 500 pixels a side: one more is refused before any work, not a 415.
    const started = Date.now();
    await expect(processor.run(task('crop', { input: 'files/x.jpg', cropwidth: '65501', cropheight: '2' }, jpg, 'jpg'))).rejects.toMatchObject({ status: 422, reason: 'size-limit', extra: { limit: 65_500 } });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await sharp((await processor.run(task('crop', { input: 'files/x.jpg', cropwidth: '65500', cropheight: '2' }, jpg, 'jpg'))).body).metadata()).toMatchObject({ format: 'jpeg', width: 65_500 });
    const out = await processor.run(task('crop', wide, jpg, 'png'));
    expect(await sharp(out.body).metadata()).toMatchObject({ width: 20000, height: 10 });
  });

  it('declares each graph’s output size exactly, from its parameters', async () => {
    const input = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#468' } }).png().toBuffer();
    const overlay = await sharp({ create: { width: 30, height: 90, channels: 4, background: '#f008' } }).png().toBuffer();
    for (const [name, entry] of catalogue) {
      if (entry.compiled.runtime === 'noop') continue;
      // Each other image inport (watermark's overlay) gets an image of another size.
      const others = imageInports(entry.compiled);
      const t = task(name, { ...(entry.compiled.generative ? {} : { input: 'files/x.jpg' }), ...Object.fromEntries(others.map((n) => [n, 'files/y.png'])) }, entry.compiled.generative ? null : input);
      const sizes = new Map(others.map((n) => [graphImage(n), { width: 30, height: 90 }]));
      const declared = checkPlan(entry.compiled, t.params, entry.compiled.generative ? null : { width: 64, height: 48 }, 'png', t.limits, sizes);
      const out = await runTask({ entry, params: t.params, input: t.input, outtype: 'png', limits: t.limits, images: Object.fromEntries(others.map((n) => [n, overlay])) });
      expect({ name, width: out.width, height: out.height }).toEqual({ name, ...declared });
    }
  });
});

describe('decoder failures are typed', () => {
  it.each([
    ['a truncated PNG', async () => (await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer()).subarray(0, 2000)],
    ['a truncated JPEG', async () => jpg.subarray(0, Math.floor(jpg.length / 3))],
    ['a truncated GIF', async () => readFileSync(`${root}examples/time.gif`).subarray(0, 3000)],
    ['PNG magic and garbage', async () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(500, 7)])],
    ['JPEG magic and garbage', async () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(500, 9)])],
    ['no bytes at all', async () => Buffer.alloc(0)],
  ])('answers %s with 415', async (_what, make) => {
    await expect(processor.run(task('passthrough', { input: 'files/x.jpg', width: '40' }, await make()))).rejects.toMatchObject({ status: 415, reason: 'unsupported-input' });
  });
});
