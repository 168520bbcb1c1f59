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

/** The delay before attempt `attempt + 1` (attempt counts from 1). */
export function backoffMs(attempt: number, b: Backoff, random: () => number = Math.random): number {
  const delay = Math.min(b.capMs ?? Infinity, b.baseMs * b.factor ** (attempt - 1));
  return Math.round(delay * (0.75 + random() * 0.5));
}
