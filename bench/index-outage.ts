/**
 * What an index outage costs the workers: unique jobs (a 1200×900 JPEG scaled to 300 px), two at
 * a time as a worker of IMGFLO_WORKER_CONCURRENCY=2 runs them, through the real consumer and
 * processing processes, on a Redis of this run's own: jobs a second with Redis up, then with it
 * stopped, then up again once the writes kept meanwhile are written. Storage is in memory: the
 * index is the subject. null where no redis-server is installed.
 */
import sharp from 'sharp';
import { makeJob } from '../shared/contracts/job-queue.contract.ts';
import { stopProcess } from '../scripts/stack.ts';
import { consumerDeps } from '../test/helpers/consumer.ts';
import { haveRedisServer, startRedis } from '../test/helpers/redis-server.ts';
import { freePort } from '../test/helpers/stack.ts';
import { createRedis, RedisCacheIndex } from '../worker/adapters/redis.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { handleJob } from '../worker/consumer.ts';
import { createProcessor } from '../worker/runtime/processor.ts';

export interface IndexOutageCost {
  jobsPerSecondUp: number;
  jobsPerSecondDown: number;
  /** down ÷ up. */
  ratio: number;
  /** Index writes kept during the outage, and how long they took to be written once it was back. */
  keptWrites: number;
  writtenAfterMs: number;
}

export async function measureIndexOutage(jobs: number): Promise<IndexOutageCost | null> {
  if (!haveRedisServer) return null;
  const port = await freePort();
  let redis = await startRedis(port);
  const client = createRedis(`redis://127.0.0.1:${port}/0`);
  client.on('error', () => {});
  await client.connect();
  const catalogue = await loadCatalogue(new URL('../graphs', import.meta.url).pathname);
  const passthrough = catalogue.get('passthrough')!;
  const processor = createProcessor(2, 60_000);
  await processor.ready();
  const input = await sharp({ create: { width: 1200, height: 900, channels: 3, background: '#4a7' } }).jpeg({ quality: 90 }).toBuffer();
  const deps = consumerDeps(catalogue, processor, { index: new RedisCacheIndex(client), readInput: async () => Buffer.from(input), maxInputPixels: 1e8 });
  const jobsPerSecond = async () => {
    const started = Date.now();
    let next = 0;
    const lane = async () => {
      while (next < jobs) {
        next++;
        const key = crypto.getRandomValues(new Uint8Array(20)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '');
        const result = await handleJob(makeJob({ key, graph: 'passthrough', digest: passthrough.digest, outtype: 'jpg', params: { width: 300 } }), deps);
        if (!result.ok) throw new Error(`a job failed: ${result.error.reason}`);
      }
    };
    await Promise.all([lane(), lane()]);
    return (jobs * 1000) / (Date.now() - started);
  };
  try {
    await jobsPerSecond(); // warm
    const up = await jobsPerSecond();
    await stopProcess(redis);
    const down = await jobsPerSecond();
    const keptWrites = deps.indexWrites.size;
    redis = await startRedis(port);
    const back = Date.now();
    while (deps.indexWrites.size > 0 && Date.now() - back < 60_000) await new Promise((r) => setTimeout(r, 50));
    const round = (n: number) => Math.round(n * 100) / 100;
    return { jobsPerSecondUp: round(up), jobsPerSecondDown: round(down), ratio: round(down / up), keptWrites, writtenAfterMs: Date.now() - back };
  } finally {
    deps.indexWrites.close();
    client.disconnect();
    await processor.close();
    await stopProcess(redis);
  }
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(JSON.stringify(await measureIndexOutage(Number(process.argv[2] ?? 40)), null, 2));
