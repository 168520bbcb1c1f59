/**
 * Per-client request rate limits at the edge: a sliding window estimated from two fixed
 * windows (the current one's count, and the previous one's weighted by how much of it still
 * overlaps), as Cloudflare's own rate limiting does. Built on INCR, PEXPIRE and GET in one
 * pipeline — commands every Redis, Upstash and the embedded store answer — rather than on
 * Lua scripts (@upstash/ratelimit), which the embedded store cannot run. If Redis does not
 * answer in time, requests pass: availability over strictness.
 */
import type { Redis } from '@upstash/redis/cloudflare';

export type RateLimiter = (identifier: string) => Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;

export interface Rate {
  requests: number;
  windowMs: number;
}

const TIMEOUT_MS = 1000;

export function redisRateLimiter(redis: Redis, rate: Rate, now: () => number = Date.now): RateLimiter {
  return async (identifier) => {
    const at = now();
    const window = Math.floor(at / rate.windowMs);
    const key = (w: number) => `imgflo:ratelimit:${identifier}:${w}`;
    try {
      const [current, , previous] = await withTimeout(
        redis.pipeline().incr(key(window)).pexpire(key(window), 2 * rate.windowMs).get<number>(key(window - 1)).exec<[number, number, number | null]>(),
      );
      const overlap = 1 - (at % rate.windowMs) / rate.windowMs;
      const estimate = Number(previous ?? 0) * overlap + current;
      if (estimate <= rate.requests) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((rate.windowMs - (at % rate.windowMs)) / 1000)) };
    } catch (e) {
      console.warn(JSON.stringify({ msg: 'rate limiter unavailable; request let through', error: String(e) }));
      return { ok: true };
    }
  };
}

function withTimeout<T>(work: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${TIMEOUT_MS} ms`)), TIMEOUT_MS);
  });
  return Promise.race([work, late]).finally(() => timer && clearTimeout(timer));
}

/**
 * Who an unsigned request is, for its limit: the address the platform gives in the configured
 * header (`CF-Connecting-IP` on Cloudflare, set by Cloudflare itself), or — where no header is
 * configured, as on a local dev server that passes on whatever a client sends — one shared
 * identity, which a client cannot change by sending a header.
 */
export function clientIdentity(header: string | null, read: (name: string) => string | undefined): string {
  if (header === null) return 'ip:unconfigured';
  const value = read(header)?.split(',')[0]?.trim();
  return `ip:${value || 'unknown'}`;
}
