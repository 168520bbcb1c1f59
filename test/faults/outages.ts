/**
 * Faults over the distributed topology: a worker killed mid-job, the broker restarted under
 * load, Redis stopped, storage failing. Redis and the S3 server are private to this file (on
 * ports of their own) so they can be stopped; RabbitMQ is restarted with rabbitmqctl.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess, type DistributedStack } from '../../scripts/stack.ts';
import { startTestDistributedStack } from '../helpers/distributed.ts';
import { haveRedisServer, startRedis } from '../helpers/redis-server.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { amqpAvailable, redisAvailable } from '../helpers/services.ts';
import { processExists } from '../helpers/process-tree.ts';
import { freePort } from '../helpers/stack.ts';

const ready = haveRedisServer && (await redisAvailable()) && (await amqpAvailable());
const JOB_TIMEOUT_MS = 10_000;
const get = (url: string, init?: RequestInit) => fetch(url, { redirect: 'manual', ...init });

const inFlight = async (url: string) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^imgflo_jobs_in_flight (\d+)/m.exec(text)?.[1] ?? 0);
};

describe.skipIf(!ready)('faults', () => {
  let stack: DistributedStack & { prefix: string };
  let redis: ChildProcess;
  let redisPort: number;
  let s3Port: number;
  let s3: { endpoint: string; close(): Promise<void> };

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    s3Port = await freePort();
    s3 = await startS3rver(s3Port, ['imgflo-test']);
    stack = await startTestDistributedStack({
      redisUrl: `redis://127.0.0.1:${redisPort}/0`,
      vhost: 'imgflo-test-faults',
      s3Endpoint: s3.endpoint,
      bridges: 1,
      workers: 2,
      env: { IMGFLO_JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS) },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    await s3?.close().catch(() => {});
    if (redis) await stopProcess(redis);
  });

  const edge = () => stack.edges[0]!.url;

  /** The worker that took the job just asked for, killed with SIGKILL mid-job. */
  async function killBusyWorker(): Promise<(typeof stack.workers)[number]> {
    let victim: (typeof stack.workers)[number] | undefined;
    for (let i = 0; i < 200 && !victim; i++) {
      for (const w of stack.workers) if ((await inFlight(w.url)) > 0) victim = w;
      if (!victim) await new Promise((r) => setTimeout(r, 25));
    }
    expect(victim, 'a worker took the job').toBeDefined();
    victim!.child.kill('SIGKILL');
    return victim!;
  }

  it('redelivers the video job of a worker killed mid-video: the GET gets its MP4, and nothing of the job is left behind', async () => {
    const answer = get(`${edge()}/graph/gaussianblur.mp4?input=files%2Fvideo-3dpmic.mp4&std-dev-x=6&std-dev-y=6`);
    const victim = await killBusyWorker();
    const res = await answer;
    expect(res.status).toBe(301);
    const stored = await fetch(res.headers.get('location')!);
    expect([stored.status, stored.headers.get('content-type')]).toEqual([200, 'video/mp4']);
    // The killed worker's processing processes took their ffmpeg and their files with them.
    const orphans = () => readdirSync(tmpdir()).filter((d) => /^imgflo-job-\d+$/.test(d) && !processExists(Number(d.slice('imgflo-job-'.length))));
    for (let i = 0; i < 100 && orphans().length > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(orphans()).toEqual([]);
    // Back to two workers for the next test.
    victim.respawn();
    for (let i = 0; i < 200; i++) {
      const health = await fetch(`${victim.url}/health`).then((r) => r.status, () => 0);
      if (health === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
  }, 60_000);

  it('redelivers the job of a worker killed mid-job, and the waiting GET still gets its 301', async () => {
    const answer = get(`${edge()}/graph/gaussianblur.png?input=files%2Fmountains.png&std-dev-x=70&std-dev-y=70`);
    const victim = await killBusyWorker();
    const res = await answer;
    expect(res.status).toBe(301);
    expect((await fetch(res.headers.get('location')!)).headers.get('content-type')).toBe('image/png');
    stack.workers = stack.workers.filter((w) => w !== victim);
  });

  it('keeps answering when RabbitMQ restarts under load: a result or a 503 with Retry-After, none hangs', async () => {
    const started = Date.now();
    const requests = Array.from({ length: 6 }, (_, i) =>
      get(`${edge()}/graph/gaussianblur.jpg?input=files%2Fgrid-toastybob.jpg&std-dev-x=${10 + i}&std-dev-y=4`).then(async (r) => ({
        status: r.status,
        retryAfter: r.headers.get('retry-after'),
        after: Date.now() - started,
        body: r.status === 301 ? null : await r.json(),
      })),
    );
    await new Promise((r) => setTimeout(r, 300));
    execFileSync('rabbitmqctl', ['stop_app'], { stdio: 'ignore', timeout: 60_000 });
    await new Promise((r) => setTimeout(r, 1000));
    execFileSync('rabbitmqctl', ['start_app'], { stdio: 'ignore', timeout: 60_000 });
    execFileSync('rabbitmqctl', ['await_startup'], { stdio: 'ignore', timeout: 60_000 });
    const outcomes = await Promise.all(requests);
    console.log('[faults] broker restart outcomes', JSON.stringify(outcomes.map(({ status, after }) => ({ status, after }))));
    for (const o of outcomes) {
      expect([301, 503]).toContain(o.status);
      if (o.status === 503) expect(o.retryAfter).toMatch(/^\d+$/);
      expect(o.after).toBeLessThan(JOB_TIMEOUT_MS + 8000);
    }
    // Bridge and workers are back: a new request is processed.
    let after: Response | null = null;
    for (let i = 0; i < 20 && after?.status !== 301; i++) {
      after = await get(`${edge()}/graph/crop.png?input=files%2Fgridbear.jpg&x=${i}&y=1`);
      if (after.status !== 301) await new Promise((r) => setTimeout(r, 500));
    }
    expect(after?.status).toBe(301);
  }, 120_000);

  it('treats lookups as misses while Redis is stopped, still processes, and logs the degradation', async () => {
    await stopProcess(redis);
    const res = await get(`${edge()}/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=33&cropheight=22`);
    expect(res.status).toBe(301);
    expect(stack.output()).toMatch(/cache index (lookup|write|release) failed|coalescing within this bridge only/);
    redis = await startRedis(redisPort);
    await new Promise((r) => setTimeout(r, 2500));
    const again = await get(`${edge()}/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=34&cropheight=22`);
    expect(again.status).toBe(301);
  }, 60_000);

  it('answers a retryable 503 while storage fails, then succeeds once it is back', async () => {
    await s3.close();
    const url = `${edge()}/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=35&cropheight=21`;
    const failing = await get(url);
    expect(failing.status).toBe(503);
    expect(failing.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(await failing.json()).toMatchObject({ code: 503, reason: 'unavailable' });
    s3 = await startS3rver(s3Port, ['imgflo-test']);
    const ok = await get(url);
    expect(ok.status).toBe(301);
    expect((await fetch(ok.headers.get('location')!)).status).toBe(200);
  }, 60_000);

  it('lets a worker sent SIGTERM finish its job in flight, then exit cleanly', async () => {
    const answer = get(`${edge()}/graph/gaussianblur.png?input=files%2Fmountains.png&std-dev-x=66&std-dev-y=66`);
    let worker: (typeof stack.workers)[number] | undefined;
    for (let i = 0; i < 200 && !worker; i++) {
      for (const w of stack.workers) if ((await inFlight(w.url)) > 0) worker = w;
      if (!worker) await new Promise((r) => setTimeout(r, 25));
    }
    expect(worker).toBeDefined();
    const exited = new Promise<number | null>((resolve) => worker!.child.once('exit', (code) => resolve(code)));
    worker!.child.kill('SIGTERM');
    const res = await answer;
    expect(res.status).toBe(301);
    expect(await exited).toBe(0);
  }, 60_000);
});
