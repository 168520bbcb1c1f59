/**
 * Reading a stored result at the edge (IMGFLO_DELIVERY=proxy): from an R2 bucket binding when
 * the Worker has one, else over HTTP from where the redirect would send a client (the public
 * bucket, the backend's /cache/, or a presigned URL). Objects are named by their bytes, so a
 * copy is right forever: the colo's Workers cache keeps them, and repeated hits do not touch the
 * store.
 */

/** A stored result's bytes and type. */
export interface StoredResult {
  body: ArrayBuffer;
  contentType: string;
}

export type ResultReader = (objectKey: string) => Promise<StoredResult | null>;

/** What the edge uses of an R2 bucket binding (`[[r2_buckets]]`, binding `RESULTS`). */
export interface ResultsBucket {
  get(key: string): Promise<{ arrayBuffer(): Promise<ArrayBuffer>; httpMetadata?: { contentType?: string } } | null>;
}

export function bucketReader(bucket: ResultsBucket): ResultReader {
  return async (objectKey) => {
    const object = await bucket.get(objectKey);
    if (!object) return null;
    return { body: await object.arrayBuffer(), contentType: object.httpMetadata?.contentType ?? 'application/octet-stream' };
  };
}

/** Over HTTP from the object's URL; null for a 404, an error for any other failure. */
export function urlReader(urlOf: (objectKey: string) => Promise<string>, fetchUrl: (url: string) => Promise<Response>): ResultReader {
  return async (objectKey) => {
    const res = await fetchUrl(await urlOf(objectKey));
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) {
      await res.body?.cancel();
      throw new Error(`the store answered ${res.status} for ${objectKey}`);
    }
    return { body: await res.arrayBuffer(), contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
  };
}

/** The Workers Cache API of the Worker's zone (none in Node). */
export interface WorkersCache {
  match(request: Request): Promise<Response | undefined>;
  put(request: Request, response: Response): Promise<void>;
}

/** `read` behind the colo's cache, its entries named by the objects' public URLs (`urlOf`). */
export function colocached(read: ResultReader, cache: WorkersCache | null, urlOf: (objectKey: string) => string): ResultReader {
  if (!cache) return read;
  return async (objectKey) => {
    const entry = new Request(urlOf(objectKey));
    const kept = await cache.match(entry).catch(() => undefined);
    if (kept) return { body: await kept.arrayBuffer(), contentType: kept.headers.get('content-type') ?? 'application/octet-stream' };
    const stored = await read(objectKey);
    if (stored) {
      const copy = new Response(stored.body.slice(0), { headers: { 'content-type': stored.contentType, 'cache-control': 'public, max-age=31536000, immutable' } });
      await cache.put(entry, copy).catch(() => undefined);
    }
    return stored;
  };
}

/** The Workers runtime's default cache, when there is one. */
export const workersCache = (): WorkersCache | null => ((globalThis as { caches?: { default?: WorkersCache } }).caches?.default ?? null);
