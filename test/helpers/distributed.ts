/** The production topology for a test file: real Redis, RabbitMQ (own vhost) and s3rver. */
import { startDistributedStack, type DistributedStack } from '../../scripts/stack.ts';
import { amqpVhostUrl, S3_ENDPOINT } from './services.ts';
import { freePort } from './stack.ts';

export const S3_BUCKET = 'imgflo-test';

export async function startTestDistributedStack(options: {
  redisUrl: string;
  vhost: string;
  s3Endpoint?: string;
  env?: Record<string, string>;
  bridges?: number;
  workers?: number;
  workerEnv?: (i: number) => Record<string, string>;
  extraEdges?: Array<Record<string, string>>;
}): Promise<DistributedStack & { prefix: string }> {
  const prefix = `run-${crypto.randomUUID().slice(0, 8)}`;
  const stack = await startDistributedStack({
    redisUrl: options.redisUrl,
    amqpUrl: amqpVhostUrl(options.vhost, { fresh: true }),
    s3: { endpoint: options.s3Endpoint ?? S3_ENDPOINT, bucket: S3_BUCKET, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    bridges: options.bridges ?? 2,
    workers: options.workers ?? 2,
    ...(options.workerEnv && { workerEnv: options.workerEnv }),
    ...(options.extraEdges && { extraEdges: options.extraEdges }),
    ports: freePort,
    env: { IMGFLO_S3_PREFIX: prefix, ...options.env },
  });
  return { ...stack, prefix };
}

export { sumCounter } from './metrics.ts';
