/**
 * The edge's settings, from its bindings (wrangler.toml vars and secrets), parsed once per
 * isolate; an invalid value is an error that names the variable. Never reads process.env.
 */
import * as v from 'valibot';
import type { Rate } from './rate-limit.ts';
import type { AppRecord } from '../shared/apps.ts';
import type { PresignSettings } from './presign.ts';
import { describeEnvIssues } from '../shared/config-issues.ts';
import { SHARED_SETTINGS } from '../shared/settings.ts';

const optionalString = v.optional(v.pipe(v.string(), v.minLength(1)));
const flag = (def: '0' | '1') =>
  v.pipe(
    v.optional(v.picklist(['0', '1', 'true', 'false']), def),
    v.transform((s) => s === '1' || s === 'true'),
  );
const httpUrl = v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//, 'must be an http(s) URL'));

const BindingsSchema = v.object({
  IMGFLO_API_KEY: optionalString,
  IMGFLO_API_SECRET: optionalString,
  IMGFLO_ADMIN_KEY: optionalString,
  IMGFLO_ADMIN_SECRET: optionalString,
  IMGFLO_REQUIRE_AUTH: flag('0'),
  IMGFLO_LEGACY_TOKENS: flag('1'),
  UPSTASH_REDIS_REST_URL: httpUrl,
  UPSTASH_REDIS_REST_TOKEN: v.pipe(v.string(), v.minLength(1)),
  IMGFLO_BRIDGE_URL: httpUrl,
  IMGFLO_BRIDGE_TOKEN: v.pipe(v.string(), v.minLength(16, 'must be at least 16 characters')),
  IMGFLO_PUBLIC_BASE_URL: httpUrl,
  IMGFLO_REDIRECT_STATUS: v.pipe(
    v.optional(v.picklist(['301', '302', '307', '308']), '301'),
    v.transform((s) => Number(s) as 301 | 302 | 307 | 308),
  ),
  IMGFLO_COMMIT: v.optional(v.string(), 'unknown'),
  IMGFLO_APP_REGISTRY: flag('0'),
  IMGFLO_APP_CACHE_SECONDS: v.pipe(v.optional(v.string(), '30'), v.transform(Number), v.number(), v.integer(), v.minValue(0), v.maxValue(60)),
  IMGFLO_LOG_HITS: flag('1'),
  IMGFLO_EDGE_MEMO_SECONDS: v.pipe(v.optional(v.string(), '60'), v.transform(Number), v.number(), v.integer(), v.minValue(0), v.maxValue(3600)),
  IMGFLO_RATE_LIMIT: v.optional(v.pipe(v.string(), v.regex(/^\d+\/\d+(ms|s|m|h)$/, 'must look like 600/60s'))),
  IMGFLO_CLIENT_IP_HEADER: v.optional(v.pipe(v.string(), v.regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a header name, like CF-Connecting-IP'))),
  IMGFLO_DELIVERY: v.optional(v.picklist(['redirect', 'proxy']), 'redirect'),
  IMGFLO_STORAGE_URL_MODE: v.optional(v.picklist(['public', 'presigned']), 'public'),
  IMGFLO_CORS_ORIGINS: v.pipe(
    v.optional(v.string(), '*'),
    v.regex(/^(\*|none|https?:\/\/[^\s,/]+(,https?:\/\/[^\s,/]+)*)$/, 'must be *, none, or origins like https://a.example,https://b.example'),
  ),
  IMGFLO_PRESIGN_EXPIRES: v.pipe(v.optional(v.string(), '3600'), v.transform(Number), v.number(), v.integer(), v.minValue(60), v.maxValue(604800)),
  ...SHARED_SETTINGS,
});

/** Every binding the edge reads (docs/configuration.md documents each). */
export const EDGE_SETTINGS = Object.keys(BindingsSchema.entries);

export type EdgeConfig = ReturnType<typeof parseEdgeConfig>;

export class EdgeConfigError extends Error {
  override readonly name = 'EdgeConfigError';
}

export function parseEdgeConfig(bindings: Record<string, unknown>) {
  const strings = Object.fromEntries(Object.entries(bindings).filter(([, value]) => typeof value === 'string'));
  const r = v.safeParse(BindingsSchema, strings);
  if (!r.success) {
    throw new EdgeConfigError(describeEnvIssues(r.issues));
  }
  const e = r.output;
  let presign: PresignSettings | null = null;
  if (e.IMGFLO_STORAGE_URL_MODE === 'presigned') {
    const missing = (['IMGFLO_S3_BUCKET', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'] as const).filter((k) => !e[k]);
    if (missing.length > 0) {
      throw new EdgeConfigError(`invalid configuration: ${missing.map((k) => `${k}: is required with IMGFLO_STORAGE_URL_MODE=presigned`).join('; ')}`);
    }
    presign = {
      endpoint: e.IMGFLO_S3_ENDPOINT ?? null,
      region: e.IMGFLO_S3_REGION,
      bucket: e.IMGFLO_S3_BUCKET!,
      accessKeyId: e.AWS_ACCESS_KEY_ID!,
      secretAccessKey: e.AWS_SECRET_ACCESS_KEY!,
      forcePathStyle: e.IMGFLO_S3_FORCE_PATH_STYLE ? ['1', 'true'].includes(e.IMGFLO_S3_FORCE_PATH_STYLE) : Boolean(e.IMGFLO_S3_ENDPOINT),
      expiresSeconds: e.IMGFLO_PRESIGN_EXPIRES,
    };
  }
  const apps = new Map<string, App>();
  if (e.IMGFLO_API_KEY || e.IMGFLO_API_SECRET) {
    apps.set(e.IMGFLO_API_KEY ?? '', { key: e.IMGFLO_API_KEY ?? '', secrets: [e.IMGFLO_API_SECRET ?? ''], admin: false, enabled: true, processingQuota: null, fallback: null });
  }
  if (e.IMGFLO_ADMIN_KEY || e.IMGFLO_ADMIN_SECRET) {
    apps.set(e.IMGFLO_ADMIN_KEY ?? '', { key: e.IMGFLO_ADMIN_KEY ?? '', secrets: [e.IMGFLO_ADMIN_SECRET ?? ''], admin: true, enabled: true, processingQuota: null, fallback: null });
  }
  return {
    apps,
    authRequired: e.IMGFLO_REQUIRE_AUTH || e.IMGFLO_APP_REGISTRY || apps.size > 0,
    appRegistry: e.IMGFLO_APP_REGISTRY,
    appCacheSeconds: e.IMGFLO_APP_CACHE_SECONDS,
    /** How long an isolate remembers hits: never longer than a result may go unrevalidated. */
    memoSeconds: Math.min(e.IMGFLO_EDGE_MEMO_SECONDS, e.IMGFLO_SOURCE_MAX_AGE ?? Infinity),
    /** IMGFLO_SOURCE_MAX_AGE: a hit on a result older than this has its sources checked in the background; null: never. */
    sourceMaxAge: e.IMGFLO_SOURCE_MAX_AGE ?? null,
    logHits: e.IMGFLO_LOG_HITS,
    rateLimit: e.IMGFLO_RATE_LIMIT ? parseRate(e.IMGFLO_RATE_LIMIT) : null,
    /** The header the platform puts the client's address in; null: none is trusted. */
    clientIpHeader: e.IMGFLO_CLIENT_IP_HEADER?.toLowerCase() ?? null,
    legacyTokens: e.IMGFLO_LEGACY_TOKENS,
    upstash: { url: e.UPSTASH_REDIS_REST_URL, token: e.UPSTASH_REDIS_REST_TOKEN },
    bridge: { url: e.IMGFLO_BRIDGE_URL.replace(/\/+$/, ''), token: e.IMGFLO_BRIDGE_TOKEN },
    publicBaseUrl: e.IMGFLO_PUBLIC_BASE_URL.replace(/\/+$/, ''),
    redirectStatus: e.IMGFLO_REDIRECT_STATUS,
    /** redirect: a hit answers 301 to the stored result; proxy: the result's bytes themselves. */
    delivery: e.IMGFLO_DELIVERY,
    /** How long a browser or CDN may keep a redirect to a result (and /info's answer): how late a purge reaches them. */
    redirectMaxAge: e.IMGFLO_REDIRECT_MAX_AGE,
    sizeLimitMegapixels: e.IMGFLO_SIZE_LIMIT,
    jobTimeoutMs: e.IMGFLO_JOB_TIMEOUT_MS,
    videoJobTimeoutMs: e.IMGFLO_VIDEO_JOB_TIMEOUT_MS,
    commit: e.IMGFLO_COMMIT,
    /** '*', the origins allowed, or null for no CORS headers. */
    corsOrigins: e.IMGFLO_CORS_ORIGINS === 'none' ? null : e.IMGFLO_CORS_ORIGINS === '*' ? ('*' as const) : e.IMGFLO_CORS_ORIGINS.split(','),
    presign,
  };
}

/** A client application: its key, the secrets its tokens may be made with, its rights. */
export type App = Pick<AppRecord, 'key' | 'secrets' | 'admin' | 'enabled' | 'processingQuota'> & Partial<Pick<AppRecord, 'fallback' | 'presets'>>;

/** `600/60s` → 600 requests per sliding window of 60 seconds. */
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

function parseRate(spec: string): Rate {
  const [, n, amount, unit] = /^(\d+)\/(\d+)(ms|s|m|h)$/.exec(spec)!;
  return { requests: Number(n), windowMs: Math.max(1, Number(amount) * UNIT_MS[unit as keyof typeof UNIT_MS]) };
}
