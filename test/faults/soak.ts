/**
 * A short soak of the distributed topology under faults: 60 urgent requests while two workers
 * are SIGKILLed (and come back), the broker restarts, the bridge is SIGKILLed (and comes back)
 * and Redis restarts. Nothing may hang (no answer later than the job timeout + 5 s), nothing
 * may be lost (every 503 answers 301 on retry), no key may be processed twice except by a
 * redelivery, no message may be left unacked or dead-lettered, no in-flight marker left.
 * Redis is this file's own; RabbitMQ is restarted with rabbitmqctl.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import amqp from 'amqplib';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess, type DistributedStack, type Proc } from '../../scripts/stack.ts';
import { startTestDistributedStack } from '../helpers/distributed.ts';
import { haveRedisServer, startRedis } from '../helpers/redis-server.ts';
import { amqpAvailable, amqpVhostUrl, s3Available } from '../helpers/services.ts';
import { freePort } from '../helpers/stack.ts';

const ready = haveRedisServer && (await amqpAvailable()) && (await s3Available());
const JOB_TIMEOUT_MS = 10_000;
const REQUESTS = 60;
const VHOST = 'imgflo-test-soak';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Outcome {
  url: string;
  status: number;
  ms: number;
  retryAfter: number;
}

describe.skipIf(!ready)('soak under faults', () => {
  let stack: DistributedStack;
  let redis: ChildProcess;
  let redisPort = 0;

  beforeAll(async () => {
    redisPort = await freePort();
    redis = await startRedis(redisPort);
    stack = await startTestDistributedStack({
      redisUrl: `redis://127.0.0.1:${redisPort}/0`,
      vhost: VHOST,
      bridges: 1,
      workers: 2,
      env: { IMGFLO_JOB_TIMEOUT_MS: String(JOB_TIMEOUT_MS), IMGFLO_LOG_LEVEL: 'info' },
    });
  }, 180_000);
  afterAll(async () => {
    await stack?.stop();
    if (redis) await stopProcess(redis);
  });

  const edge = () => stack.edges[0]!.url;
  const request = async (url: string): Promise<Outcome> => {
    const started = Date.now();
    try {
      const res = await fetch(`${edge()}${url}`, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
      await res.body?.cancel();
      return { url, status: res.status, ms: Date.now() - started, retryAfter: Number(res.headers.get('retry-after') ?? 0) };
    } catch {
      return { url, status: 0, ms: Date.now() - started, retryAfter: 1 };
    }
  };
  const kill = async (p: Proc, backAfterMs: number) => {
    p.child.kill('SIGKILL');
    await sleep(backAfterMs);
    p.respawn();
  };

  it('loses nothing, hangs nothing, processes nothing twice, leaves nothing behind', async () => {
    // Mostly quick jobs, every fourth a slower blur that a kill is likely to catch mid-job.
    const urls = Array.from({ length: REQUESTS }, (_, i) =>
      i % 4 === 0 ? `/graph/gaussianblur.jpg?input=files%2Fgridbear.jpg&std-dev-x=${i + 2}&std-dev-y=3` : `/graph/passthrough.jpg?input=files%2Fgrid-toastybob.jpg&width=${100 + i}`,
    );
    const t0 = Date.now();
    const faults = (async () => {
      await sleep(800);
      await kill(stack.workers[0]!, 500);
      await sleep(1500);
      await kill(stack.workers[1]!, 500);
      await sleep(1500);
      execFileSync('rabbitmqctl', ['stop_app'], { stdio: 'ignore', timeout: 60_000 });
      await sleep(1500);
      execFileSync('rabbitmqctl', ['start_app'], { stdio: 'ignore', timeout: 60_000 });
      execFileSync('rabbitmqctl', ['await_startup'], { stdio: 'ignore', timeout: 60_000 });
      await sleep(1500);
      await kill(stack.bridges[0]!, 800);
      await sleep(2000);
      await stopProcess(redis);
      await sleep(1000);
      redis = await startRedis(redisPort);
    })();
    // Six clients, each sending its share one after another, spread over the faults.
    const outcomes: Outcome[] = [];
    await Promise.all(
      Array.from({ length: 6 }, async (_, c) => {
        for (let i = c; i < urls.length; i += 6) {
          outcomes.push(await request(urls[i]!));
          await sleep(150);
        }
      }),
    );
    await faults;
    console.log(`[soak] ${outcomes.length} answered after ${Date.now() - t0} ms`);

    const hung = outcomes.filter((o) => o.ms > JOB_TIMEOUT_MS + 5000);
    // Every request that was not answered 301 is retried as Retry-After says, until it is.
    const refused = outcomes.filter((o) => o.status !== 301);
    const lost: Outcome[] = [];
    await Promise.all(
      refused.map(async (o) => {
        let last = o;
        for (let attempt = 0; attempt < 6 && last.status !== 301; attempt++) {
          await sleep(Math.max(1, last.retryAfter) * 1000);
          last = await request(o.url);
        }
        if (last.status !== 301) lost.push(last);
      }),
    );
    console.log(`[soak] retried ${refused.length} after ${Date.now() - t0} ms`);

    // Which keys were processed (not answered from the index or storage), and how often.
    const processed = new Map<string, number>();
    for (const line of stack.output().split('\n')) {
      const json = line.slice(line.indexOf('{'));
      if (!json.includes('"job done"')) continue;
      try {
        const entry = JSON.parse(json) as { key?: string; ok?: boolean; cached?: boolean; redelivered?: boolean };
        // A redelivered job may run again while its first delivery still runs: that is allowed.
        if (entry.ok && entry.cached === false && entry.key && !entry.redelivered) processed.set(entry.key, (processed.get(entry.key) ?? 0) + 1);
      } catch {}
    }
    const twice = [...processed.values()].filter((n) => n > 1).length;

    // The queues: nothing waiting, nothing unacknowledged, nothing dead.
    await sleep(1000);
    const conn = await amqp.connect(amqpVhostUrl(VHOST));
    const ch = await conn.createChannel();
    const queued: Record<string, number> = {};
    for (const q of ['imgflo.jobs.urgent', 'imgflo.jobs.background', 'imgflo.jobs.video', 'imgflo.jobs.dead']) queued[q] = (await ch.checkQueue(q)).messageCount;
    await conn.close();
    const unacked = execFileSync('rabbitmqctl', ['list_queues', '-p', VHOST, '--quiet', '--no-table-headers', 'name', 'messages_unacknowledged'], { timeout: 30_000 })
      .toString()
      .split('\n')
      .filter((l) => l.startsWith('imgflo.jobs'))
      .reduce((n, l) => n + Number(l.trim().split(/\s+/)[1] ?? 0), 0);

    // In-flight markers: a dead bridge's lapse within its lease (6 s).
    const client = new Redis(`redis://127.0.0.1:${redisPort}/0`);
    let markers = -1;
    for (let i = 0; i < 40 && markers !== 0; i++) {
      markers = (await client.keys('imgflo:inflight:*')).length;
      if (markers !== 0) await sleep(250);
    }
    client.disconnect();

    const figures = {
      requests: outcomes.length,
      answered301: outcomes.length - refused.length,
      refusedThenRetried: refused.length,
      statuses: Object.fromEntries([...new Set(outcomes.map((o) => o.status))].map((s) => [s, outcomes.filter((o) => o.status === s).length])),
      slowestMs: Math.max(...outcomes.map((o) => o.ms)),
      hung: hung.length,
      lost: lost.length,
      keysProcessed: processed.size,
      processedTwice: twice,
      queued,
      unacked,
      markersLeft: markers,
    };
    console.log(`[soak] ${JSON.stringify(figures)}`);
    expect(outcomes).toHaveLength(REQUESTS);
    expect(hung).toEqual([]);
    expect(lost).toEqual([]);
    expect(twice).toBe(0);
    expect(queued).toEqual({ 'imgflo.jobs.urgent': 0, 'imgflo.jobs.background': 0, 'imgflo.jobs.video': 0, 'imgflo.jobs.dead': 0 });
    expect(unacked).toBe(0);
    expect(markers).toBe(0);
  }, 300_000);
});
