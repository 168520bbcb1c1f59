/** The Workers entry: builds the edge's dependencies from its bindings once per isolate. */
import type { Hono } from 'hono';
import { catalogueOf } from '../shared/graph/catalogue.ts';
import { createApp } from './app.ts';
import { httpBridgeClient } from './bridge-client.ts';
import { EdgeConfigError, parseEdgeConfig } from './config.ts';
import type { AppEnv } from './context.ts';
import { GRAPHS, PACKAGE, PRESETS } from './graphs.generated.ts';
import { s3Presigner } from './presign.ts';
import { upstashClient, upstashIndex } from './upstash-index.ts';
import { appFinder } from './apps.ts';
import { memoizedIndex } from './index-memo.ts';
import { redisRateLimiter } from './rate-limit.ts';
import { workersCache, type ResultsBucket } from './stored-result.ts';

interface Env {
  ASSETS?: { fetch(request: Request): Promise<Response> };
  /** The results' R2 bucket (`[[r2_buckets]]`), read by IMGFLO_DELIVERY=proxy. */
  RESULTS?: ResultsBucket;
  [binding: string]: unknown;
}

// One app per set of bindings: built on the first request of an isolate, then reused.
const apps = new WeakMap<Env, Promise<Hono<AppEnv>>>();

async function build(env: Env): Promise<Hono<AppEnv>> {
  const config = parseEdgeConfig(env);
  const log = (line: Record<string, unknown>) => console.log(JSON.stringify(line));
  const redis = upstashClient(config.upstash.url, config.upstash.token);
  return createApp({
    config,
    catalogue: await catalogueOf(GRAPHS, PRESETS),
    index: memoizedIndex(upstashIndex(redis), { ttlMs: config.memoSeconds * 1000, max: 10_000, maxBytes: 4 * 1024 * 1024, now: Date.now }),
    bridge: httpBridgeClient({ url: config.bridge.url, token: config.bridge.token, timeoutMs: Math.max(config.jobTimeoutMs, config.videoJobTimeoutMs) + 5000, log }),
    findApp: appFinder({ envApps: config.apps, redis: config.appRegistry ? redis : null, cacheSeconds: config.appCacheSeconds, now: Date.now }),
    rateLimit: config.rateLimit ? redisRateLimiter(redis, config.rateLimit) : null,
    assets: env.ASSETS ?? null,
    pkg: PACKAGE,
    presign: config.presign ? s3Presigner(config.presign) : null,
    fetchResult: (url) => fetch(url),
    results: env.RESULTS ?? null,
    resultsCache: workersCache(),
    now: () => Date.now(),
    log,
  });
}

export default {
  async fetch(request: Request, env: Env, ctx: unknown): Promise<Response> {
    let app = apps.get(env);
    if (!app) apps.set(env, (app = build(env)));
    try {
      return await (await app).fetch(request, env, ctx as never);
    } catch (e) {
      if (!(e instanceof EdgeConfigError)) throw e;
      // The operator reads which setting is wrong in the logs; a visitor learns only that.
      console.error(e.message);
      return Response.json({ error: 'the service is not configured: its log names the settings to fix', code: 500, reason: 'internal' }, { status: 500 });
    }
  },
};
