/**
 * The backend's settings, parsed once from the environment at start; an invalid value stops
 * the process with an error that names the variable. With no service URLs set, everything
 * runs embedded in one process (SPEC §2).
 */
import * as v from 'valibot';
import { describeEnvIssues } from '../shared/config-issues.ts';
import { QUEUE_NAMES, type QueueName } from '../shared/queues.ts';
import { SHARED_SETTINGS } from '../shared/settings.ts';

const int = (def: number, min = 0) =>
  v.pipe(
    v.optional(v.string(), String(def)),
    v.transform(Number),
    v.number(),
    v.integer(),
    v.minValue(min),
  );
const flag = v.pipe(
  v.optional(v.picklist(['0', '1', 'true', 'false', '']), '0'),
  v.transform((s) => s === '1' || s === 'true'),
);
const url = v.pipe(v.string(), v.url());

const optionalUrl = (scheme: RegExp, what: string) => v.optional(v.pipe(v.string(), v.regex(scheme, `must be a ${what} URL`)));

const EnvSchema = v.object({
  IMGFLO_ROLE: v.optional(v.picklist(['all', 'bridge', 'worker', 'upstash-proxy']), 'all'),
  IMGFLO_INSTANCE_ID: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_.-]{1,64}$/))),
  IMGFLO_REDIS_URL: optionalUrl(/^rediss?:\/\//, 'redis://'),
  IMGFLO_AMQP_URL: optionalUrl(/^amqps?:\/\//, 'amqp://'),
  ...SHARED_SETTINGS,
  IMGFLO_WORKER_QUEUES: v.optional(
    v.pipe(
      v.string(),
      v.regex(new RegExp(`^ *(${QUEUE_NAMES.join('|')}) *(, *(${QUEUE_NAMES.join('|')}) *)*$`), `must be a comma-separated list of ${QUEUE_NAMES.join(', ')}`),
      v.transform((s) => [...new Set(s.split(',').map((q) => q.trim() as QueueName))]),
    ),
    QUEUE_NAMES.join(','),
  ),
  IMGFLO_BACKGROUND_CONCURRENCY: int(1, 1),
  IMGFLO_VIDEO_CONCURRENCY: int(1, 1),
  IMGFLO_HOST: v.optional(v.string(), '127.0.0.1'),
  IMGFLO_PORT: int(8080, 0),
  IMGFLO_BRIDGE_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  UPSTASH_REDIS_REST_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  IMGFLO_PUBLIC_BASE_URL: v.optional(url),
  IMGFLO_S3_PREFIX: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_\-/]*$/)), 'results'),
  IMGFLO_DATA_DIR: v.optional(v.string(), '.imgflo'),
  IMGFLO_GRAPHS_DIR: v.optional(v.string(), 'graphs'),
  IMGFLO_EXAMPLES_DIR: v.optional(v.string(), 'examples'),
  IMGFLO_CACHE_TTL: int(86_400, 1),
  IMGFLO_FETCH_TIMEOUT_MS: int(20_000, 100),
  IMGFLO_MAX_INPUT_BYTES: int(50_000_000, 1),
  IMGFLO_MAX_INPUT_PIXELS: int(100_000_000, 1),
  IMGFLO_WORKER_CONCURRENCY: int(2, 1),
  IMGFLO_SHARP_CONCURRENCY: int(1, 1),
  IMGFLO_ALLOW_PRIVATE_INPUTS: flag,
  IMGFLO_INPUT_HOSTS: v.optional(v.pipe(v.string(), v.regex(/^[a-z0-9.-]*(,[a-z0-9.-]+)*$/i, 'must be a comma-separated list of host names'))),
  IMGFLO_PROCESSING_TIMEOUT_MS: int(20_000, 100),
  IMGFLO_VIDEO_PROCESSING_TIMEOUT_MS: int(80_000, 100),
  IMGFLO_PROCESSING_MEMORY_MB: int(4096, 64),
  IMGFLO_MAX_FRAMES: int(200, 1),
  IMGFLO_MAX_VIDEO_SECONDS: int(120, 1),
  IMGFLO_FAILURE_TTL: int(60, 1),
  IMGFLO_MAX_URGENT_QUEUE: int(100, 1),
  IMGFLO_MAX_BACKGROUND_QUEUE: int(1000, 1),
  IMGFLO_MAX_VIDEO_QUEUE: int(20, 1),
  IMGFLO_CF_ZONE_ID: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9]{1,64}$/, 'must be a Cloudflare zone id'))),
  IMGFLO_CF_API_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  IMGFLO_CF_API_URL: v.optional(url, 'https://api.cloudflare.com/client/v4'),
  IMGFLO_LOG_LEVEL: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
});

/** Every variable the backend reads (docs/configuration.md documents each). */
export const BACKEND_SETTINGS = Object.keys(EnvSchema.entries);

export type BackendConfig = ReturnType<typeof loadBackendConfig>;

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export function loadBackendConfig(env: Record<string, string | undefined>) {
  const r = v.safeParse(EnvSchema, env);
  if (!r.success) {
    throw new ConfigError(describeEnvIssues(r.issues));
  }
  const e = r.output;
  const distributed = e.IMGFLO_ROLE !== 'all';
  const missing = (name: string, why: string) => {
    throw new ConfigError(`invalid configuration: ${name}: is required ${why}`);
  };
  if ((e.IMGFLO_ROLE === 'all' || e.IMGFLO_ROLE === 'bridge') && !e.IMGFLO_BRIDGE_TOKEN) missing('IMGFLO_BRIDGE_TOKEN', 'for the bridge');
  if (distributed && e.IMGFLO_ROLE !== 'upstash-proxy' && !e.IMGFLO_AMQP_URL) missing('IMGFLO_AMQP_URL', `for the ${e.IMGFLO_ROLE} role`);
  if (distributed && !e.IMGFLO_REDIS_URL) missing('IMGFLO_REDIS_URL', `for the ${e.IMGFLO_ROLE} role`);
  if (e.IMGFLO_ROLE === 'worker' && !e.IMGFLO_S3_BUCKET) missing('IMGFLO_S3_BUCKET', 'for the worker role');
  if (e.IMGFLO_CF_ZONE_ID && !e.IMGFLO_CF_API_TOKEN) missing('IMGFLO_CF_API_TOKEN', 'with IMGFLO_CF_ZONE_ID');
  if (e.IMGFLO_CF_API_TOKEN && !e.IMGFLO_CF_ZONE_ID) missing('IMGFLO_CF_ZONE_ID', 'with IMGFLO_CF_API_TOKEN');
  if (e.IMGFLO_ROLE === 'upstash-proxy' && !e.UPSTASH_REDIS_REST_TOKEN) missing('UPSTASH_REDIS_REST_TOKEN', 'for the upstash-proxy role');
  return {
    role: e.IMGFLO_ROLE,
    instanceId: e.IMGFLO_INSTANCE_ID ?? `${e.IMGFLO_ROLE}-${Math.random().toString(36).slice(2, 10)}`,
    redisUrl: e.IMGFLO_REDIS_URL ?? null,
    amqpUrl: e.IMGFLO_AMQP_URL ?? null,
    s3: e.IMGFLO_S3_BUCKET
      ? {
          bucket: e.IMGFLO_S3_BUCKET,
          region: e.IMGFLO_S3_REGION,
          endpoint: e.IMGFLO_S3_ENDPOINT ?? null,
          forcePathStyle: e.IMGFLO_S3_FORCE_PATH_STYLE ? ['1', 'true'].includes(e.IMGFLO_S3_FORCE_PATH_STYLE) : Boolean(e.IMGFLO_S3_ENDPOINT),
          accessKeyId: e.AWS_ACCESS_KEY_ID ?? null,
          secretAccessKey: e.AWS_SECRET_ACCESS_KEY ?? null,
        }
      : null,
    workerQueues: e.IMGFLO_WORKER_QUEUES,
    /** How many jobs of each queue a worker runs at once. */
    concurrency: { urgent: e.IMGFLO_WORKER_CONCURRENCY, background: e.IMGFLO_BACKGROUND_CONCURRENCY, video: e.IMGFLO_VIDEO_CONCURRENCY } satisfies Record<QueueName, number>,
    host: e.IMGFLO_HOST,
    port: e.IMGFLO_PORT,
    bridgeToken: e.IMGFLO_BRIDGE_TOKEN ?? '',
    upstashToken: e.UPSTASH_REDIS_REST_TOKEN ?? null,
    publicBaseUrl: e.IMGFLO_PUBLIC_BASE_URL ?? null,
    objectPrefix: e.IMGFLO_S3_PREFIX,
    dataDir: e.IMGFLO_DATA_DIR,
    graphsDir: e.IMGFLO_GRAPHS_DIR,
    examplesDir: e.IMGFLO_EXAMPLES_DIR,
    cacheTtlSeconds: e.IMGFLO_CACHE_TTL,
    /** How long a result counts as fresh once made or revalidated; null: its sources are never checked again. */
    sourceMaxAgeSeconds: e.IMGFLO_SOURCE_MAX_AGE ?? null,
    /** How long a purged or replaced result stays readable before the sweep removes it. */
    retiredKeepSeconds: e.IMGFLO_REDIRECT_MAX_AGE,
    jobTimeoutMs: e.IMGFLO_JOB_TIMEOUT_MS,
    videoJobTimeoutMs: e.IMGFLO_VIDEO_JOB_TIMEOUT_MS,
    fetchTimeoutMs: e.IMGFLO_FETCH_TIMEOUT_MS,
    maxInputBytes: e.IMGFLO_MAX_INPUT_BYTES,
    maxInputPixels: e.IMGFLO_MAX_INPUT_PIXELS,
    sharpConcurrency: e.IMGFLO_SHARP_CONCURRENCY,
    processingMemoryMb: e.IMGFLO_PROCESSING_MEMORY_MB,
    allowPrivateInputs: e.IMGFLO_ALLOW_PRIVATE_INPUTS,
    inputHosts: (e.IMGFLO_INPUT_HOSTS ?? '').split(',').map((h) => h.trim().toLowerCase()).filter(Boolean),
    processingTimeoutMs: e.IMGFLO_PROCESSING_TIMEOUT_MS,
    videoProcessingTimeoutMs: e.IMGFLO_VIDEO_PROCESSING_TIMEOUT_MS,
    maxFrames: e.IMGFLO_MAX_FRAMES,
    maxVideoSeconds: e.IMGFLO_MAX_VIDEO_SECONDS,
    failureTtlSeconds: e.IMGFLO_FAILURE_TTL,
    /** Load shedding: new work is refused while this many jobs wait in its queue. */
    maxQueue: { urgent: e.IMGFLO_MAX_URGENT_QUEUE, background: e.IMGFLO_MAX_BACKGROUND_QUEUE, video: e.IMGFLO_MAX_VIDEO_QUEUE } satisfies Record<QueueName, number>,
    /** Where a purge also purges the CDN's copies, by tag; null: no CDN to purge. */
    cdn: e.IMGFLO_CF_ZONE_ID && e.IMGFLO_CF_API_TOKEN ? { zoneId: e.IMGFLO_CF_ZONE_ID, apiToken: e.IMGFLO_CF_API_TOKEN, apiUrl: e.IMGFLO_CF_API_URL } : null,
    sizeLimitMegapixels: e.IMGFLO_SIZE_LIMIT,
    logLevel: e.IMGFLO_LOG_LEVEL,
  };
}
