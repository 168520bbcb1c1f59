/**
 * Chooses each port's adapter from the configuration: Redis, RabbitMQ and S3 when their
 * settings are there, the in-memory and local-disk adapters otherwise (the embedded default).
 * The code above the ports is the same either way.
 */
import { join } from 'node:path';
import type { Redis } from 'ioredis';
import { MemoryCacheIndex } from '../../shared/memory/cache-index.ts';
import { MemoryJobQueue } from '../../shared/memory/job-queue.ts';
import { MemoryKv } from '../../shared/memory/kv.ts';
import { MemoryAppRegistry } from '../../shared/memory/app-registry.ts';
import type { AppRegistry, CacheIndex, JobQueue, ObjectStore } from '../../shared/ports.ts';
import type { BackendConfig } from '../config.ts';
import { runCommand, type CommandResult } from '../embedded/kv-commands.ts';
import type { Logger } from '../log.ts';
import { LocalDiskObjectStore } from '../storage/local-disk.ts';
import { AmqpJobQueue } from './amqp/job-queue.ts';
import { connectRedis, createRedis, RedisAppRegistry, RedisCacheIndex, redisCommandRunner } from './redis.ts';
import { createS3Client, S3ObjectStore } from './s3.ts';

export interface Adapters {
  index: CacheIndex;
  apps: AppRegistry;
  queue: JobQueue;
  store: ObjectStore;
  /** The local-disk store when results are served by this process at /cache/. */
  localStore: LocalDiskObjectStore | null;
  /** Runs Upstash REST commands against the index's store. */
  commands: (command: readonly unknown[]) => CommandResult | Promise<CommandResult>;
  describe: Record<string, string>;
  close(): Promise<void>;
}

export async function createAdapters(config: BackendConfig, log: Logger): Promise<Adapters> {
  let redis: Redis | null = null;
  let index: CacheIndex;
  let apps: AppRegistry;
  let commands: Adapters['commands'];
  if (config.redisUrl) {
    redis = createRedis(config.redisUrl);
    redis.on('error', (e) => log.debug({ err: e }, 'redis error'));
    await connectRedis(redis);
    index = new RedisCacheIndex(redis);
    apps = new RedisAppRegistry(redis);
    commands = redisCommandRunner(redis);
  } else {
    const kv = new MemoryKv();
    index = new MemoryCacheIndex(kv);
    apps = new MemoryAppRegistry(kv);
    commands = (cmd) => runCommand(kv, cmd);
  }

  let queue: JobQueue;
  if (config.amqpUrl) {
    const amqp = new AmqpJobQueue({ url: config.amqpUrl, log, instanceId: config.instanceId });
    await amqp.start();
    queue = amqp;
  } else {
    queue = new MemoryJobQueue();
  }

  let store: ObjectStore;
  let localStore: LocalDiskObjectStore | null = null;
  if (config.s3) {
    store = new S3ObjectStore(createS3Client(config.s3), config.s3.bucket);
  } else {
    store = localStore = new LocalDiskObjectStore(join(config.dataDir, 'objects'));
  }

  return {
    index,
    apps,
    queue,
    store,
    localStore,
    commands,
    describe: {
      index: redis ? 'redis' : 'memory',
      queue: config.amqpUrl ? 'rabbitmq' : 'memory',
      store: config.s3 ? `s3:${config.s3.bucket}` : 'local-disk',
    },
    close: async () => {
      await queue.close();
      redis?.disconnect();
    },
  };
}
