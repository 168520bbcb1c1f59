/**
 * The benchmark's smoke run: seconds instead of minutes, so the harness cannot rot. It checks
 * that every scenario measured something, never how fast.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { amqpAvailable, redisAvailable } from './helpers/services.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const ready = (await redisAvailable()) && (await amqpAvailable());

describe.skipIf(!ready)('npm run bench -- --smoke', () => {
  it('runs every scenario and writes its results', async () => {
    const out = `${ROOT}test-output/bench-smoke.json`;
    await run(process.execPath, ['--import', 'tsx', `${ROOT}bench/run.ts`, '--smoke', '--out', out], { cwd: ROOT, timeout: 240_000 });
    const r = JSON.parse(readFileSync(out, 'utf8'));
    expect(r.smoke).toBe(true);
    for (const ext of ['jpg', 'webp']) {
      const s = r.scenarios[`miss-${ext}`];
      for (const side of ['imgflo', 'rawSharp', 'ipx']) expect(s[side].requests, `${ext} ${side}`).toBeGreaterThan(0);
      expect(s.vsRawSharp).toBeGreaterThan(0);
      expect(s.vsIpx).toBeGreaterThan(0);
      // The worker decodes and encodes every image: it must have spent CPU on the miss path.
      expect(s.cpuMsPerRequest.worker, `${ext} worker CPU`).toBeGreaterThan(0);
      expect(s.rawSharpCpuMsPerImage).toBeGreaterThan(0);
    }
    expect(r.scenarios.hit.imgflo.requests).toBeGreaterThan(0);
    // The proxy hit answers the image itself (200), not an error.
    expect(r.scenarios.hit.imgfloProxy.requests).toBeGreaterThan(0);
    expect(r.scenarios.hit.imgfloProxy.errors).toBe(0);
    expect(r.scenarios.hit.imgfloProxy.statuses['200']).toBe(r.scenarios.hit.imgfloProxy.requests);
    expect(r.scenarios.hit.bareWorkerd.requests).toBeGreaterThan(0);
    expect(r.scenarios.hit.bareWithAssets.requests).toBeGreaterThan(0);
    expect(r.scenarios.coalescing).toMatchObject({ requests: 100, answered301: 100 });
    expect(r.scenarios.coalescing.processingRuns).toBeGreaterThanOrEqual(1);
    expect(Object.values(r.scenarios.stress).every((v) => typeof v === 'number')).toBe(true);
    expect(r.scenarios.memory.workerPeakRssMB).toBeGreaterThan(0);
    // The whole worker: its processing processes too, sampled while the misses ran.
    expect(r.scenarios.memory.workerTreePeakPssMB).toBeGreaterThanOrEqual(r.scenarios.memory.workerTreeIdlePssMB);
    expect(r.scenarios.memory.workerTreeIdlePssMB).toBeGreaterThan(0);
    // Overload: both bursts ran, and nothing failed.
    for (const burst of [r.scenarios.overload.cachedC1000, r.scenarios.overload.uniqueMissesC100]) {
      expect(burst.requests, 'overload').toBeGreaterThan(0);
      expect(burst.errors, 'overload errors').toBe(0);
      expect(burst.peakRssMB.worker, 'overload memory sampled').toBeGreaterThan(0);
    }
    for (const name of ['customgrey', 'scaled480']) {
      expect(r.scenarios.video[name].oursCpuMs, `${name} video, ours`).toBeGreaterThan(0);
      expect(r.scenarios.video[name].ffmpegCpuMs, `${name} video, ffmpeg alone`).toBeGreaterThan(0);
    }
    // A fresh pool became ready and ran its first jobs, then warm ones.
    expect(r.scenarios.scaleOut).toMatchObject({ readyMs: expect.any(Number), ratio: expect.any(Number) });
    expect(r.scenarios.scaleOut.firstJobMs.jpg).toBeGreaterThan(0);
    // The worker started under load answered a job, and the requests meanwhile were answered.
    expect(r.scenarios.workerUnderLoad.firstJobMs).toBeGreaterThan(0);
    expect(r.scenarios.workerUnderLoad.during.throughput).toBeGreaterThan(0);
    // The index outage: jobs ran with Redis up and with it stopped, and what was kept got written.
    expect(r.scenarios.indexOutage).toMatchObject({ jobsPerSecondUp: expect.any(Number), jobsPerSecondDown: expect.any(Number) });
    expect(r.scenarios.indexOutage.jobsPerSecondDown).toBeGreaterThan(0);
    expect(r.scenarios.indexOutage.keptWrites).toBeGreaterThan(0);
    for (const ext of ['jpg', 'webp']) {
      expect(r.scenarios.isolation[ext].cpuMsInThisThread, `${ext} isolation`).toBeGreaterThan(0);
      expect(r.scenarios.isolation[ext].cpuMsInProcessingThread, `${ext} isolation`).toBeGreaterThan(0);
    }
  }, 300_000);
});
