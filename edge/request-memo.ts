/**
 * Each distinct request's resolution — its parameters checked and typed, its cache key — kept
 * in the isolate, so that a repeated URL (every hit) skips parsing and hashing. A resolution is
 * a pure function of the graph's version, the extension, the query's pairs and, for `auto`, the
 * negotiated type: an entry never goes stale. Past `max` entries the oldest goes. A request
 * that fails to resolve is not kept (it throws each time), nor one longer than `LONGEST`: the
 * memo's memory stays a few MB in an isolate of 128 MB however long the URLs a client sends.
 */
import { cacheKey } from '../shared/cache-key.ts';
import { cacheTags } from '../shared/cache-tags.ts';
import { imageInports } from '../shared/graph/compile.ts';
import { boundedCache } from './bounded-cache.ts';
import type { GraphEntry } from '../shared/graph/catalogue.ts';
import { resolveOutputType, resolveRequest, type RequestLimits, type ResolvedRequest } from '../shared/request.ts';

export interface Resolved {
  readonly req: ResolvedRequest;
  readonly key: string;
  /** The result's `Cache-Tag` (without the app's, which is the client's). */
  readonly tags: string;
}

export type Resolver = (entry: GraphEntry, ext: string, pairs: ReadonlyArray<readonly [string, string]>, limits: RequestLimits) => Promise<Resolved>;

/** The longest request (its identity, about its query's length) that is kept. */
export const LONGEST = 1024;

export function memoizedResolver(max: number, maxBytes: number): Resolver {
  const memo = boundedCache<Resolved>({ max, maxBytes });
  return async (entry, ext, pairs, limits) => {
    // Two Accept headers that choose the same type share an entry.
    const negotiated = ext === 'auto' ? resolveOutputType(entry, ext, limits.accept) : null;
    const id = JSON.stringify([entry.name, entry.digest, ext, negotiated, limits.sizeLimitMegapixels, pairs]);
    const known = memo.get(id);
    if (known) return known;
    const req = resolveRequest(entry, ext, pairs, limits);
    const images = [req.input, ...imageInports(entry.compiled).map((name) => (typeof req.params[name] === 'string' ? (req.params[name] as string) : null))];
    const resolved: Resolved = Object.freeze({ req, key: await cacheKey(req, entry.digest), tags: await cacheTags(entry.name, images) });
    if (id.length > LONGEST) return resolved;
    memo.set(id, resolved);
    return resolved;
  };
}
