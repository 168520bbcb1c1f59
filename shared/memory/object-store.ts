/** An in-memory object store, for tests and for a process that keeps nothing on disk. */
import { systemClock, type Clock, type ListedObject, type ObjectStore, type StoredObject } from '../ports.ts';

export class MemoryObjectStore implements ObjectStore {
  private readonly objects = new Map<string, { body: Uint8Array; contentType: string; lastModified: number }>();

  constructor(private readonly clock: Clock = systemClock) {}

  async head(objectKey: string): Promise<StoredObject | null> {
    const o = this.objects.get(objectKey);
    return o ? { contentType: o.contentType, size: o.body.byteLength } : null;
  }

  async delete(objectKey: string): Promise<void> {
    this.objects.delete(objectKey);
  }

  async put(objectKey: string, body: Uint8Array, contentType: string): Promise<void> {
    this.objects.set(objectKey, { body: new Uint8Array(body), contentType, lastModified: this.clock.now() });
  }

  async create(objectKey: string, body: Uint8Array, contentType: string): Promise<boolean> {
    if (this.objects.has(objectKey)) return false;
    this.objects.set(objectKey, { body: new Uint8Array(body), contentType, lastModified: this.clock.now() });
    return true;
  }

  async list(prefix: string): Promise<ListedObject[]> {
    return [...this.objects]
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, o]) => ({ key, lastModified: o.lastModified }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async get(objectKey: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    const o = this.objects.get(objectKey);
    return o ? { body: new Uint8Array(o.body), contentType: o.contentType } : null;
  }
}
