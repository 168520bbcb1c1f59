/**
 * A small in-memory key-value store with Redis semantics for the commands the service uses
 * (strings with expiry). It backs the in-memory cache index and the embedded Upstash endpoint.
 */
import { systemClock, type Clock } from '../ports.ts';

interface Entry {
  value: string;
  expiresAt: number | null;
}

export interface SetOptions {
  ex?: number;
  px?: number;
  nx?: boolean;
  xx?: boolean;
}

export class MemoryKv {
  private readonly entries = new Map<string, Entry>();
  private readonly sets = new Map<string, Set<string>>();

  sadd(key: string, ...members: string[]): number {
    const set = this.sets.get(key) ?? new Set<string>();
    const before = set.size;
    for (const m of members) set.add(m);
    this.sets.set(key, set);
    return set.size - before;
  }

  smembers(key: string): string[] {
    return [...(this.sets.get(key) ?? [])].sort();
  }

  delSet(key: string): void {
    this.sets.delete(key);
  }
  constructor(private readonly clock: Clock = systemClock) {}

  private live(key: string): Entry | null {
    const e = this.entries.get(key);
    if (!e) return null;
    if (e.expiresAt !== null && e.expiresAt <= this.clock.now()) {
      this.entries.delete(key);
      return null;
    }
    return e;
  }

  get(key: string): string | null {
    return this.live(key)?.value ?? null;
  }

  set(key: string, value: string, options: SetOptions = {}): 'OK' | null {
    const exists = this.live(key) !== null;
    if ((options.nx && exists) || (options.xx && !exists)) return null;
    const ttlMs = options.px ?? (options.ex !== undefined ? options.ex * 1000 : undefined);
    this.entries.set(key, { value, expiresAt: ttlMs === undefined ? null : this.clock.now() + ttlMs });
    return 'OK';
  }

  del(...keys: string[]): number {
    let n = 0;
    for (const k of keys) if (this.live(k) && this.entries.delete(k)) n++;
    return n;
  }

  exists(...keys: string[]): number {
    return keys.filter((k) => this.live(k) !== null).length;
  }

  /** Seconds left: -2 when missing, -1 without expiry (as Redis answers). */
  ttl(key: string): number {
    const e = this.live(key);
    if (!e) return -2;
    if (e.expiresAt === null) return -1;
    return Math.ceil((e.expiresAt - this.clock.now()) / 1000);
  }

  expire(key: string, seconds: number): number {
    return this.pexpire(key, seconds * 1000) ? 1 : 0;
  }

  pexpire(key: string, ms: number): boolean {
    const e = this.live(key);
    if (!e) return false;
    e.expiresAt = this.clock.now() + ms;
    return true;
  }

  incrby(key: string, by: number): number {
    const e = this.live(key);
    const current = e ? Number(e.value) : 0;
    if (!Number.isInteger(current)) throw new Error('ERR value is not an integer or out of range');
    const next = current + by;
    this.entries.set(key, { value: String(next), expiresAt: e?.expiresAt ?? null });
    return next;
  }

  keys(prefix: string): string[] {
    return [...this.entries.keys()].filter((k) => k.startsWith(prefix) && this.live(k) !== null);
  }
}
