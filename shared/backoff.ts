/**
 * The one retry delay of the service: exponential, capped, and jittered by ±25 % so that the
 * clients a failure stopped together do not come back together.
 */
export interface Backoff {
  /** The delay before the second attempt, before jitter. */
  baseMs: number;
  /** How much longer each next delay is. */
  factor: number;
  /** The longest delay, before jitter. */
  capMs?: number;
}

/** Reconnecting to a service (the broker, Redis): 0.2 s, doubling up to 2 s (every process lost it at once). */
export const RECONNECT: Backoff = { baseMs: 200, factor: 2, capMs: 2000 };

/** The delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const delay = Math.min(b.capMs ?? Infinity, b.baseMs * b.factor ** (attempt - 1));
  return Math.round(delay * (0.75 + random() * 0.5));
}
