/**
 * Readiness per role over real services: each role's /ready lists the dependencies that role
 * uses, turns 503 within 5 s of one stopping and 200 within 5 s of its return; /health stays
 * 200 throughout (the process lives), and no role dies at start for want of a dependency.
 * Redis and the S3 server are this file's own; RabbitMQ is stopped with rabbitmqctl. The same
 * stack then goes through a broker outage as a client sees it.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess, type DistributedStack, type Proc } from '../../scripts/stack.ts';
import { startTestDistributedStack } from '../helpers/distributed.ts';
import { haveRedisServer, startRedis } from '../helpers/redis-server.ts';
import { startS3rver } from '../helpers/s3rver.ts';
import { amqpAvailable } from '../helpers/services.ts';
import { freePort } from '../helpers/stack.ts';

const ready = haveRedisServer && (await amqpAvailable());

interface Readiness {
  status: number;
  body: { ready: boolean; role: string; dependencies: Record<string, string> };
}
const readiness = async (p: Proc): Promise<Readiness> => {
  const res = await fetch(`${p.url}/ready`, { signal: AbortSignal.timeout(3000) });
  return { status: res.status, body: await res.json() };
};

/** /ready, or what went wrong asking it: a keep-alive socket the server closed as it was reused is asked again. */
const readinessOrFailure = (p: Proc): Promise<Readiness> =>
  readiness(p).catch((e: unknown) => ({ status: 0, body: { ready: false, role: 'unanswered', dependencies: { error: String((e as Error).cause ?? e) } } }));

/** How long until every process's /ready answers `ready` (ms), failing after `within`. */
async function until(procs: Proc[], want: boolean, within = 5000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const states = await Promise.all(procs.map(readinessOrFailure));
    if (states.every((s) => s.body.ready === want && s.status === (want ? 200 : 503))) return Date.now() - started;
    if (Date.now() - started > within) throw new Error(`not ${want ? 'ready' : 'unready'} within ${within} ms: ${JSON.stringify(states.map((s) => s.body))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!ready)('readiness of each role', () => {
  let stack: DistributedStack;
  let redis: ChildProcess | null = null;
  let redisPort = 0;
  let s3Port = 0;
  let s3: { endpoint: string; close(): Promise<void> };
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    redisPort = await freePort();
    s3Port = await freePort();
    s3 = await startS3rver(s3Port, ['imgflo-test']);
    // Redis is not there yet: every role must start anyway, alive and not ready.
    stack = await startTestDistributedStack({ redisUrl: `redis://127.0.0.1:${redisPort}/0`, vhost: 'imgflo-test-ready', s3Endpoint: s3.endpoint, bridges: 1, workers: 1 });
  }, 180_000);
  afterAll(async () => {
    console.log(`[ready] ${JSON.stringify(timings)}`);
    await stack?.stop();
    await s3?.close().catch(() => {});
    if (redis) await stopProcess(redis);
  });

  const roles = () => ({ proxy: stack.proxy, bridge: stack.bridges[0]!, worker: stack.workers[0]! });

  it('starts every role without Redis, alive but not ready, and each lists what it uses', async () => {
    const { proxy, bridge, worker } = roles();
    for (const p of [proxy, bridge, worker]) expect((await fetch(`${p.url}/health`)).status).toBe(200);
    expect((await readiness(proxy)).body).toMatchObject({ ready: false, role: 'upstash-proxy', dependencies: { redis: 'unavailable' } });
    expect(Object.keys((await readiness(proxy)).body.dependencies)).toEqual(['redis']);
    expect(Object.keys((await readiness(bridge)).body.dependencies).sort()).toEqual(['rabbitmq', 'redis']);
    expect(Object.keys((await readiness(worker)).body.dependencies).sort()).toEqual(['processing', 'rabbitmq', 'redis', 'storage']);
    redis = await startRedis(redisPort);
    timings.redisFirstStart = await until([proxy, bridge, worker], true);
  });

  it('turns every role unready within 5 s of Redis stopping, and ready within 5 s of its return', async () => {
    const all = Object.values(roles());
    await stopProcess(redis!);
    timings.redisDown = await until(all, false);
    for (const p of all) expect((await readiness(p)).body.dependencies.redis).toBe('unavailable');
    for (const p of all) expect((await fetch(`${p.url}/health`)).status).toBe(200);
    redis = await startRedis(redisPort);
    timings.redisBack = await until(all, true);
  });

  it('turns the bridge and the worker unready when RabbitMQ stops, and leaves the Upstash proxy ready', async () => {
    const { proxy, bridge, worker } = roles();
    execFileSync('rabbitmqctl', ['stop_app'], { stdio: 'ignore', timeout: 60_000 });
    try {
      timings.brokerDown = await until([bridge, worker], false);
      expect((await readiness(bridge)).body.dependencies).toEqual({ redis: 'ok', rabbitmq: 'unavailable' });
      expect((await readiness(proxy)).body).toMatchObject({ ready: true, dependencies: { redis: 'ok' } });
    } finally {
      execFileSync('rabbitmqctl', ['start_app'], { stdio: 'ignore', timeout: 60_000 });
      execFileSync('rabbitmqctl', ['await_startup'], { stdio: 'ignore', timeout: 60_000 });
    }
    timings.brokerBack = await until([bridge, worker], true);
  }, 120_000);

  it('turns the worker unready when storage stops, and leaves the bridge ready', async () => {
    const { bridge, worker } = roles();
    await s3.close();
    timings.storageDown = await until([worker], false);
    expect((await readiness(worker)).body.dependencies.storage).toBe('unavailable');
    expect((await readiness(bridge)).body.ready).toBe(true);
    s3 = await startS3rver(s3Port, ['imgflo-test']);
    timings.storageBack = await until([worker], true);
  });

  // The sequence of a real outage, with the default job timeout (25 s): the refused URL must
  // not be left holding a marker that makes its retry wait for a job that was never queued.
  it('answers a URL refused during a broker outage with 301 at its first retry after Retry-After', async () => {
    const refusedUrl = `${stack.edges[0]!.url}/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=41&cropheight=17`;
    execFileSync('rabbitmqctl', ['stop_app'], { stdio: 'ignore', timeout: 60_000 });
    let retryAfter = 0;
    try {
      const refused = await fetch(refusedUrl, { redirect: 'manual' });
      expect(refused.status).toBe(503);
      expect(await refused.json()).toMatchObject({ code: 503, reason: 'unavailable' });
      retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThan(0);
    } finally {
      execFileSync('rabbitmqctl', ['start_app'], { stdio: 'ignore', timeout: 60_000 });
      execFileSync('rabbitmqctl', ['await_startup'], { stdio: 'ignore', timeout: 60_000 });
    }
    // The service is back: a different new URL is processed.
    let other: Response | null = null;
    for (let i = 0; i < 40 && other?.status !== 301; i++) {
      other = await fetch(`${stack.edges[0]!.url}/graph/crop.png?input=files%2Fgridbear.jpg&cropwidth=42&cropheight=${17 + i}`, { redirect: 'manual' });
      if (other.status !== 301) await new Promise((r) => setTimeout(r, 500));
    }
    expect(other?.status).toBe(301);
    // The refused URL, retried as Retry-After says, is answered at once: nothing of it was left.
    await new Promise((r) => setTimeout(r, retryAfter * 1000));
    const started = Date.now();
    const retried = await fetch(refusedUrl, { redirect: 'manual' });
    expect(retried.status).toBe(301);
    expect(Date.now() - started).toBeLessThan(5000);
  }, 120_000);

});
