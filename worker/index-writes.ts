/**
 * The index writes that follow a stored result (its entry, sources, freshness, lineage), when the
 * index does not take them at once: kept and tried again in the background, with backoff, so that
 * a Redis outage holds no job's slot (the result is stored and answered meanwhile). Bounded: one
 * write per id (a newer one replaces an older), at most `maxPending`, none older than `maxAgeMs`;
 * what is dropped costs speed only, since the next request for the key re-indexes it from
 * storage. Nothing is processed twice: the worker finds the stored result before it would.
 */
import { backoffMs, type Backoff } from '../shared/backoff.ts';
import type { Logger } from './log.ts';

/** Tries again after 0.2 s, doubling up to 5 s while the index stays away. */
export const PENDING_RETRY: Backoff = { baseMs: 200, factor: 2, capMs: 5000 };

interface Pending {
  what: string;
  op: () => Promise<void>;
  since: number;
}

export interface PendingIndexWritesOptions {
  log: Logger;
  maxPending?: number;
  maxAgeMs?: number;
  now?: () => number;
}

export class PendingIndexWrites {
  private readonly pending = new Map<string, Pending>();
  private timer: ReturnType<typeof setTimeout> | null = null;
  private round = 0;
  private closed = false;

  constructor(private readonly o: PendingIndexWritesOptions) {}

  /** Writes waiting for the index. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Tries `op` once; when the index does not take it, `later` (by default `op` itself: what may
   * still be done once the index is back) is kept and tried again in the background.
   */
  async write(id: string, what: string, op: () => Promise<void>, later = op): Promise<void> {
    try {
      await op();
      this.pending.delete(id);
      return;
    } catch (e) {
      if (this.pending.size === 0) this.o.log.warn({ err: e }, `cache index ${what} failed; trying again in the background`);
    }
    this.keep(id, { what, op: later, since: this.now() });
  }

  /** Stops trying; what is pending is left to the re-indexing from storage. */
  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private now(): number {
    return (this.o.now ?? Date.now)();
  }

  private keep(id: string, write: Pending): void {
    this.pending.delete(id);
    const max = this.o.maxPending ?? 10_000;
    if (this.pending.size >= max) {
      const oldest = this.pending.keys().next().value!;
      this.pending.delete(oldest);
      this.o.log.warn({ dropped: oldest, max }, 'too many index writes pending; the oldest is dropped (re-indexed from storage on its next request)');
    }
    this.pending.set(id, write);
    this.schedule();
  }

  private schedule(): void {
    if (this.timer || this.closed) return;
    this.timer = setTimeout(() => void this.flush(), backoffMs(++this.round, PENDING_RETRY));
    this.timer.unref?.();
  }

  /** Tries every pending write in order; the first failure ends the round (the index is still away). */
  private async flush(): Promise<void> {
    this.timer = null;
    const maxAge = this.o.maxAgeMs ?? 600_000;
    for (const [id, write] of [...this.pending]) {
      if (this.closed) return;
      if (this.now() - write.since > maxAge) {
        this.pending.delete(id);
        this.o.log.warn({ id, what: write.what }, 'index write given up after its longest wait (re-indexed from storage on its next request)');
        continue;
      }
      try {
        await write.op();
      } catch {
        break;
      }
      // A newer write of the same id may have come meanwhile: that one stays.
      if (this.pending.get(id) === write) this.pending.delete(id);
    }
    if (this.pending.size > 0) this.schedule();
    else this.round = 0;
  }
}
