/**
 * The life of stored results. A result is an object named by its own bytes in its cache key's
 * folder (shared/cache-key.ts), so an object key is never written with other bytes. A result
 * that is purged, or replaced by one made from a changed source, is *retired*: a marker
 * `retired/<object key>` is written beside it, and the object itself stays readable for the
 * redirects' `max-age` (a browser or CDN may still follow one to it). The sweep removes the
 * objects whose marker is older than that, then the marker. The markers live in the store, so
 * a result found there with no index entry is never taken back into use once retired, and a
 * sweep loses nothing when the index is lost.
 */
import { resultFolder, resultObjectKey } from '../shared/cache-key.ts';
import type { OutputType } from '../shared/formats.ts';
import type { ObjectStore } from '../shared/ports.ts';
import { contentDigest, sha256Hex16 } from './runtime/digest.ts';

export const RETIRED_PREFIX = 'retired/';

const markerOf = (objectKey: string) => `${RETIRED_PREFIX}${objectKey}`;

/**
 * Stores a new result; returns its object key. Named by its bytes: where that key is free, one
 * conditional write (ObjectStore.create) both checks and stores it. Where it is taken, the same
 * bytes are stored already: in use (kept as they are), or retired (purged, then made again the
 * same: that object is the sweep's to remove), when the result is named by its bytes and the
 * time instead. Either way no key ever holds two contents.
 */
export async function storeResult(store: ObjectStore, o: { prefix: string; key: string; outtype: OutputType | null; body: Uint8Array; contentType: string; now: number }): Promise<string> {
  const digest = contentDigest(o.body);
  const named = resultObjectKey(o.prefix, o.key, o.outtype, digest);
  if (await store.create(named, o.body, o.contentType)) return named;
  if ((await store.head(markerOf(named))) === null) return named;
  const timed = resultObjectKey(o.prefix, o.key, o.outtype, sha256Hex16(`${digest} ${o.now}`));
  await store.put(timed, o.body, o.contentType);
  return timed;
}

/** Marks a result retired as of now: removed by the sweep once `keepSeconds` have passed. */
export async function retire(store: ObjectStore, objectKey: string, now: number): Promise<void> {
  await store.put(markerOf(objectKey), new TextEncoder().encode(JSON.stringify({ retiredAt: new Date(now).toISOString() })), 'application/json');
}

/**
 * The result of a cache key still in use in storage, when the index has lost it: the newest
 * object of the key's folder that is not retired; null when there is none.
 */
export async function currentResult(store: ObjectStore, prefix: string, key: string): Promise<string | null> {
  const folder = resultFolder(prefix, key);
  // A miss's folder is empty: one listing. Its markers are listed only when it holds a result.
  const results = await store.list(folder);
  if (results.length === 0) return null;
  const retired = await store.list(markerOf(folder));
  const gone = new Set(retired.map((m) => m.key.slice(RETIRED_PREFIX.length)));
  const live = results.filter((r) => !gone.has(r.key)).sort((a, b) => b.lastModified - a.lastModified);
  return live[0]?.key ?? null;
}

/**
 * How much longer than its keeping time a retired result is kept: a store's clock is not this
 * process's, and S3 gives an object's time to the second (truncated), so a marker may look up to
 * a second older than it is.
 */
export const SWEEP_GRACE_MS = 2000;

/**
 * Removes the results retired more than `keepSeconds` ago (plus the grace), then their markers;
 * returns their keys. An object written after its marker is not the one retired: a sweep stopped
 * between the two deletions left the marker, and the same bytes were stored again since (a free
 * key is written without a look at markers). That object stays; only the marker goes.
 */
export async function sweep(store: ObjectStore, keepSeconds: number, now: number): Promise<string[]> {
  const due = (await store.list(RETIRED_PREFIX)).filter((m) => m.lastModified <= now - keepSeconds * 1000 - SWEEP_GRACE_MS);
  const removed: string[] = [];
  for (const marker of due) {
    const objectKey = marker.key.slice(RETIRED_PREFIX.length);
    const object = (await store.list(objectKey)).find((o) => o.key === objectKey);
    if (object && object.lastModified <= marker.lastModified) {
      await store.delete(objectKey);
      removed.push(objectKey);
    }
    await store.delete(marker.key);
  }
  return removed;
}

/** Sweeps every `intervalMs` until stopped; a failed sweep is logged and tried at the next. */
export function startSweeping(
  o: { store: ObjectStore; keepSeconds: number; now: () => number; onError: (e: unknown) => void; onSwept?: (keys: string[]) => void },
): () => void {
  const intervalMs = sweepIntervalMs(o.keepSeconds);
  let running = false;
  const timer = setInterval(() => {
    if (running) return;
    running = true;
    sweep(o.store, o.keepSeconds, o.now())
      .then((keys) => keys.length && o.onSwept?.(keys), o.onError)
      .finally(() => (running = false));
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/** A quarter of the keeping time, between 1 s and 5 minutes: an object outlives it by at most that. */
export const sweepIntervalMs = (keepSeconds: number) => Math.min(300_000, Math.max(1000, (keepSeconds * 1000) / 4));
