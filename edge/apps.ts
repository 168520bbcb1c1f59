/**
 * Finds the app of an API key: the apps of the edge's own settings first, then the app
 * registry (read through Upstash). Answers are kept in the isolate for a short while, so a
 * change made with the CLI takes effect within IMGFLO_APP_CACHE_SECONDS — or within the
 * shorter `maxAgeSeconds` a caller asks for (a request naming a preset asks for 0: read afresh).
 */
import type { Redis } from '@upstash/redis/cloudflare';
import { appKey, decodeApp } from '../shared/apps.ts';
import { boundedCache } from './bounded-cache.ts';
import type { App } from './config.ts';

/** What the isolate keeps of apps: known and unknown keys alike, within these bounds. */
const APP_CACHE = { max: 10_000, maxBytes: 2 * 1024 * 1024 };

export function appFinder(options: {
  envApps: ReadonlyMap<string, App>;
  redis: Redis | null;
  cacheSeconds: number;
  now: () => number;
}): (key: string, maxAgeSeconds?: number) => Promise<App | null> {
  const cache = boundedCache<{ app: App | null; at: number }>(APP_CACHE);
  return async (key, maxAgeSeconds = options.cacheSeconds) => {
    const own = options.envApps.get(key);
    if (own) return own;
    if (!options.redis) return null;
    const hit = cache.get(key);
    if (hit && options.now() < hit.at + Math.min(options.cacheSeconds, maxAgeSeconds) * 1000) return hit.app;
    const app = decodeApp(await options.redis.get<string>(appKey(key)));
    cache.set(key, { app, at: options.now() });
    return app;
  };
}
