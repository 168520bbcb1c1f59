/**
 * Per-app request rate limits at the edge (@upstash/ratelimit, a sliding window in Redis).
 * If Redis does not answer in time, requests pass: availability over strictness.
 */
import { Ratelimit } from '@upstash/ratelimit';
import type { Redis } from '@upstash/redis/cloudflare';

export type RateLimiter = (identifier: string) => Promise<{ ok: true } | { ok: false; retryAfterSeconds: number }>;

export function upstashRateLimiter(redis: Redis, rate: { requests: number; window: `${number} ${'ms' | 's' | 'm' | 'h'}` }): RateLimiter {
  const limiter = new Ratelimit({
    redis,
    limiter: Ratelimit.slidingWindow(rate.requests, rate.window),
    prefix: 'imgflo:ratelimit',
    analytics: false,
    timeout: 1000,
  });
  return async (identifier) => {
    try {
      const r = await limiter.limit(identifier);
      if (r.success) return { ok: true };
      return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((r.reset - Date.now()) / 1000)) };
    } catch (e) {
      console.warn(JSON.stringify({ msg: 'rate limiter unavailable; request let through', error: String(e) }));
      return { ok: true };
    }
  };
}
