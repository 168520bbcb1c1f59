/**
 * Purging: every stored result of a graph, or of an input, removed from the cache index and
 * retired in storage (worker/results.ts): each stays readable for the redirects' `max-age`, for
 * browsers and CDNs that still hold a redirect to it, then the sweep removes it. The workers
 * keep a lineage record per result, so nothing scans the bucket. Served as
 * POST /admin/purge (bearer: the bridge token) by every backend that holds the store, so it
 * works in every storage mode through the store the service itself is configured with.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import * as v from 'valibot';
import { errorResponse } from '../shared/error-response.ts';
import { invalidParameter, isImgfloError, unknownGraph } from '../shared/errors.ts';
import type { CacheIndex, LineageQuery, ObjectStore } from '../shared/ports.ts';
import { normalizeInput } from '../shared/request.ts';
import { graphTag, inputTag } from '../shared/cache-tags.ts';
import { purgeCdnTags, type CdnPurged, type CdnSettings } from './cdn-purge.ts';
import { MAX_INPUT_LENGTH, MAX_NAME_LENGTH } from '../shared/reserved.ts';
import { retire } from './results.ts';

export const PurgeRequestSchema = v.object({
  graph: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_NAME_LENGTH))),
  input: v.optional(v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_INPUT_LENGTH))),
  dryRun: v.optional(v.boolean(), false),
});
export type PurgeRequest = v.InferInput<typeof PurgeRequestSchema>;

export interface PurgeResult {
  graph?: string;
  input?: string;
  purged: number;
  dryRun: boolean;
  objects: string[];
  /** What the CDN was asked, when one is configured. */
  cdn?: CdnPurged;
}

export interface PurgeDeps {
  index: CacheIndex;
  store: ObjectStore;
  /** The catalogue's graph names. */
  graphs: ReadonlySet<string>;
  cdn: CdnSettings | null;
  now: () => number;
}

export async function purge({ index, store, graphs, cdn, now }: PurgeDeps, o: PurgeRequest): Promise<PurgeResult> {
  if (Boolean(o.graph) === Boolean(o.input)) throw invalidParameter('graph', 'give either a graph or an input');
  const of: LineageQuery = o.graph ? { graph: o.graph } : { input: normalizeInput(o.input!) };
  const results = await index.lineage(of);
  // A misspelt name is an error, not "purged: 0"; a graph removed since still has its results purged.
  if (o.graph && results.length === 0 && !graphs.has(o.graph)) throw unknownGraph(o.graph, graphs);
  if (!o.dryRun) {
    for (const r of results) {
      await index.delete(r.key);
      await retire(store, r.objectKey, now());
    }
    await index.forgetLineage(of);
  }
  const result: PurgeResult = { ...of, purged: results.length, dryRun: Boolean(o.dryRun), objects: results.map((r) => r.objectKey) };
  // The CDN's copies of the redirects, by the tags the edge gave them (shared/cache-tags.ts).
  if (cdn && !o.dryRun) result.cdn = await purgeCdnTags(cdn, ['graph' in of ? graphTag(of.graph) : await inputTag(of.input)]);
  return result;
}

export function purgeRoutes(deps: PurgeDeps & { token: string }): Hono {
  const app = new Hono();
  app.post('/admin/purge', bearerAuth({ token: deps.token }), async (c) => {
    const parsed = v.safeParse(PurgeRequestSchema, await c.req.json().catch(() => null));
    if (!parsed.success) return errorResponse(invalidParameter('purge', 'the body is {"graph": NAME} or {"input": URL}, with "dryRun": true to only list'));
    try {
      return c.json(await purge(deps, parsed.output));
    } catch (e) {
      if (isImgfloError(e)) return errorResponse(e);
      throw e;
    }
  });
  return app;
}
