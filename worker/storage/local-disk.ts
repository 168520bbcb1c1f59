/**
 * The embedded mode's object store: files under a directory, written atomically (temp file,
 * then rename), with the content type kept beside each object as S3 keeps it in its metadata.
 */
import { link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { ListedObject, ObjectStore, StoredObject } from '../../shared/ports.ts';

const SAFE_KEY = /^[A-Za-z0-9_-]+(\/[A-Za-z0-9_-]+)*(\.[a-z0-9]+)?$/;

export class LocalDiskObjectStore implements ObjectStore {
  constructor(private readonly dir: string) {}

  /** The file of an object key; null for a key that could leave the directory. */
  pathOf(objectKey: string): string | null {
    return SAFE_KEY.test(objectKey) ? join(this.dir, objectKey) : null;
  }

  async head(objectKey: string): Promise<StoredObject | null> {
    const path = this.pathOf(objectKey);
    if (!path) return null;
    try {
      const [info, meta] = await Promise.all([stat(path), readFile(`${path}.meta`, 'utf8')]);
      return { size: info.size, contentType: JSON.parse(meta).contentType };
    } catch {
      return null;
    }
  }

  async get(objectKey: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    const head = await this.head(objectKey);
    if (!head) return null;
    try {
      return { body: await readFile(this.pathOf(objectKey)!), contentType: head.contentType };
    } catch {
      return null;
    }
  }

  async delete(objectKey: string): Promise<void> {
    const path = this.pathOf(objectKey);
    if (!path) return;
    await rm(path, { force: true });
    await rm(`${path}.meta`, { force: true });
  }

  async list(prefix: string): Promise<ListedObject[]> {
    // The deepest folder the prefix names is walked, not the whole store.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    if (folder && !SAFE_KEY.test(folder)) return [];
    const root = join(this.dir, folder);
    const names = await readdir(root, { recursive: true }).catch(() => [] as string[]);
    const keys = names
      .map((n) => relative(this.dir, join(root, n)).split(sep).join('/'))
      .filter((k) => k.startsWith(prefix) && SAFE_KEY.test(k) && !k.endsWith('.meta'));
    const listed = await Promise.all(keys.map(async (key) => ({ key, info: await stat(join(this.dir, key)).catch(() => null) })));
    return listed
      .filter((l) => l.info?.isFile())
      .map((l) => ({ key: l.key, lastModified: l.info!.mtimeMs }))
      .sort((a, b) => (a.key < b.key ? -1 : 1));
  }

  async put(objectKey: string, body: Uint8Array, contentType: string): Promise<void> {
    const { path, tmp } = await this.staged(objectKey, body, contentType);
    await rename(`${tmp}.meta`, `${path}.meta`);
    await rename(tmp, path);
  }

  /** Linked into place, which fails when a file has the name: atomic, as S3's If-None-Match is. */
  async create(objectKey: string, body: Uint8Array, contentType: string): Promise<boolean> {
    const { path, tmp } = await this.staged(objectKey, body, contentType);
    try {
      await link(tmp, path);
    } catch (e) {
      await Promise.all([rm(tmp, { force: true }), rm(`${tmp}.meta`, { force: true })]);
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    await rename(`${tmp}.meta`, `${path}.meta`);
    await rm(tmp, { force: true });
    return true;
  }

  /** The object and its metadata written aside, beside where they go. */
  private async staged(objectKey: string, body: Uint8Array, contentType: string): Promise<{ path: string; tmp: string }> {
    const path = this.pathOf(objectKey);
    if (!path) throw new Error(`unsafe object key ${objectKey}`);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    await writeFile(`${tmp}.meta`, JSON.stringify({ contentType }));
    await writeFile(tmp, body);
    return { path, tmp };
  }
}
