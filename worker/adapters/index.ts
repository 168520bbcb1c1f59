/**
 * Chooses each port's adapter from the configuration: Redis, RabbitMQ and S3 when their
 * settings are there, the in-memory and local-disk adapters otherwise (the embedded default).
 * The code above the ports is the same either way. A role gets only the adapters it uses (the
 * upstash-proxy no queue, the bridge no store), none of them waits for its service at start —
 * each connects, and reconnects, by itself — and `checks` says which answer now (/ready).
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
import type { Check } from '../health.ts';
import type { Logger } from '../log.ts';
import { LocalDiskObjectStore } from '../storage/local-disk.ts';
import { AmqpJobQueue } from './amqp/job-queue.ts';
import { createRedis, RedisAppRegistry, RedisCacheIndex, redisCommandRunner } from './redis.ts';
import { S3ObjectStore } from './s3.ts';

export interface Adapters {
  index: CacheIndex;
  apps: AppRegistry;
  /** Null for a role that queues and consumes nothing. */
  queue: JobQueue | null;
  /** Null for a role that stores nothing. */
  store: ObjectStore | null;
  /** The local-disk store when results are served by this process at /cache/. */
  localStore: LocalDiskObjectStore | null;
  /** Runs Upstash REST commands against the index's store. */
  commands: (command: readonly unknown[]) => CommandResult | Promise<CommandResult>;
  /** The services this role uses, each a check that resolves while it answers. */
  checks: Record<string, Check>;
  describe: Record<string, string>;
  close(): Promise<void>;
}

export interface Uses {
  queue: boolean;
  store: boolean;
}

export function createAdapters(config: BackendConfig, log: Logger, uses: Uses): Adapters {
  const checks: Record<string, Check> = {};
  let redis: Redis | null = null;
  let index: CacheIndex;
  let apps: AppRegistry;
  let commands: Adapters['commands'];
  if (config.redisUrl) {
    const client = (redis = createRedis(config.redisUrl));
    client.on('error', (e) => log.debug({ err: e }, 'redis error'));
    // Not awaited: the client retries until Redis answers, and /ready tells meanwhile.
    client.connect().catch((e) => log.warn({ err: e }, 'redis not reachable yet; retrying'));
    checks.redis = () => client.ping();
    index = new RedisCacheIndex(client);
    apps = new RedisAppRegistry(redis);
    commands = redisCommandRunner(redis);
  } else {
    const kv = new MemoryKv();
    index = new MemoryCacheIndex(kv);
    apps = new MemoryAppRegistry(kv);
    commands = (cmd) => runCommand(kv, cmd);
  }

  let queue: JobQueue | null = null;
  if (uses.queue && config.amqpUrl) {
    const amqp = new AmqpJobQueue({ url: config.amqpUrl, log, instanceId: config.instanceId });
    amqp.start();
    checks.rabbitmq = async () => {
      if (!amqp.connected) throw new Error('not connected');
    };
    queue = amqp;
  } else if (uses.queue) {
    queue = new MemoryJobQueue();
  }

  let store: ObjectStore | null = null;
  let localStore: LocalDiskObjectStore | null = null;
  if (uses.store && config.s3) {
    const s3 = (store = new S3ObjectStore(config.s3));
    checks.storage = () => s3.head('.ready');
  } else if (uses.store) {
    store = localStore = new LocalDiskObjectStore(join(config.dataDir, 'objects'));
  }

  return {
    index,
    apps,
    queue,
    store,
    localStore,
    commands,
    checks,
    describe: {
      index: redis ? 'redis' : 'memory',
      queue: !queue ? 'none' : config.amqpUrl ? 'rabbitmq' : 'memory',
      store: !store ? 'none' : config.s3 ? `s3:${config.s3.bucket}` : 'local-disk',
    },
    close: async () => {
      await queue?.close();
      redis?.disconnect();
    },
  };
}
