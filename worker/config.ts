/**
 * The backend's settings, parsed once from the environment at start; an invalid value stops
 * the process with an error that names the variable. With no service URLs set, everything
 * runs embedded in one process (SPEC §2).
 */
import * as v from 'valibot';
import { describeEnvIssues } from '../shared/config-issues.ts';

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

const EnvSchema = v.object({
  IMGFLO_HOST: v.optional(v.string(), '127.0.0.1'),
  IMGFLO_PORT: int(8080, 0),
  IMGFLO_BRIDGE_TOKEN: v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters')),
  UPSTASH_REDIS_REST_TOKEN: v.optional(v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters'))),
  IMGFLO_PUBLIC_BASE_URL: v.optional(url),
  IMGFLO_SERVICE_URL: v.optional(url, 'http://127.0.0.1:8787'),
  IMGFLO_S3_PREFIX: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9_\-/]*$/)), 'results'),
  IMGFLO_DATA_DIR: v.optional(v.string(), '.imgflo'),
  IMGFLO_GRAPHS_DIR: v.optional(v.string(), 'graphs'),
  IMGFLO_EXAMPLES_DIR: v.optional(v.string(), 'examples'),
  IMGFLO_CACHE_TTL: int(86_400, 1),
  IMGFLO_JOB_TIMEOUT_MS: int(25_000, 100),
  IMGFLO_FETCH_TIMEOUT_MS: int(20_000, 100),
  IMGFLO_MAX_INPUT_BYTES: int(50_000_000, 1),
  IMGFLO_MAX_INPUT_PIXELS: int(100_000_000, 1),
  IMGFLO_WORKER_CONCURRENCY: int(2, 1),
  IMGFLO_ALLOW_PRIVATE_INPUTS: flag,
  IMGFLO_LOG_LEVEL: v.optional(v.picklist(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']), 'info'),
});

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
  return {
    host: e.IMGFLO_HOST,
    port: e.IMGFLO_PORT,
    bridgeToken: e.IMGFLO_BRIDGE_TOKEN,
    upstashToken: e.UPSTASH_REDIS_REST_TOKEN ?? null,
    publicBaseUrl: e.IMGFLO_PUBLIC_BASE_URL ?? null,
    serviceUrl: e.IMGFLO_SERVICE_URL.replace(/\/+$/, ''),
    objectPrefix: e.IMGFLO_S3_PREFIX,
    dataDir: e.IMGFLO_DATA_DIR,
    graphsDir: e.IMGFLO_GRAPHS_DIR,
    examplesDir: e.IMGFLO_EXAMPLES_DIR,
    cacheTtlSeconds: e.IMGFLO_CACHE_TTL,
    jobTimeoutMs: e.IMGFLO_JOB_TIMEOUT_MS,
    fetchTimeoutMs: e.IMGFLO_FETCH_TIMEOUT_MS,
    maxInputBytes: e.IMGFLO_MAX_INPUT_BYTES,
    maxInputPixels: e.IMGFLO_MAX_INPUT_PIXELS,
    workerConcurrency: e.IMGFLO_WORKER_CONCURRENCY,
    allowPrivateInputs: e.IMGFLO_ALLOW_PRIVATE_INPUTS,
    logLevel: e.IMGFLO_LOG_LEVEL,
  };
}
