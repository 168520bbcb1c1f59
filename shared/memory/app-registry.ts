/** The in-memory app registry, on the same key layout as Redis. */
import { appKey, decodeApp, quotaKey, type AppRecord } from '../apps.ts';
import type { AppRegistry } from '../ports.ts';
import type { MemoryKv } from './kv.ts';

export class MemoryAppRegistry implements AppRegistry {
  constructor(private readonly kv: MemoryKv) {}

  async get(key: string): Promise<AppRecord | null> {
    return decodeApp(this.kv.get(appKey(key)));
  }

  async put(app: AppRecord): Promise<void> {
    this.kv.set(appKey(app.key), JSON.stringify(app));
  }

  async list(): Promise<AppRecord[]> {
    return this.kv
      .keys(appKey(''))
      .map((k) => decodeApp(this.kv.get(k)))
      .filter((a): a is AppRecord => a !== null)
      .sort((a, b) => a.key.localeCompare(b.key));
  }

  async countProcessed(key: string, month: string): Promise<number> {
    const n = this.kv.incrby(quotaKey(key, month), 1);
    if (n === 1) this.kv.expire(quotaKey(key, month), 40 * 86_400);
    return n;
  }

  async processedIn(key: string, month: string): Promise<number> {
    return Number(this.kv.get(quotaKey(key, month)) ?? 0);
  }
}
