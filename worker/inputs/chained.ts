/**
 * A chained `graph/...` input as a job of the same request: resolved with the edge's rules
 * (catalogue, parameters, cache key), so its result is the one the edge would find for that
 * URL, and read from the object store — never fetched over HTTP from the service itself.
 */
import { cacheKey, objectKeyFor } from '../../shared/cache-key.ts';
import { MAX_CHAIN_DEPTH, parseChained } from '../../shared/chain.ts';
import { invalidParameter, unknownGraph } from '../../shared/errors.ts';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import type { Job } from '../../shared/job.ts';
import { withPreset } from '../../shared/presets.ts';
import { jobRequestOf, resolveRequest } from '../../shared/request.ts';

export interface ChainDeps {
  catalogue: Catalogue;
  objectPrefix: string;
  sizeLimitMegapixels: number;
  clock: { now(): number };
}

export async function chainedJob(input: string, depth: number, deps: ChainDeps, requestId = 'chained'): Promise<Job> {
  if (depth > MAX_CHAIN_DEPTH) throw invalidParameter('input', `chained more than ${MAX_CHAIN_DEPTH} levels deep`);
  const { path, pairs } = parseChained(input);
  const entry = deps.catalogue.get(path.graph);
  if (!entry) throw unknownGraph(path.graph);
  // The service's presets only: an app's own are the edge's to expand.
  const req = resolveRequest(entry, path.ext, withPreset(entry, pairs), { sizeLimitMegapixels: deps.sizeLimitMegapixels });
  const key = await cacheKey(req, entry.digest);
  const now = deps.clock.now();
  return {
    ...jobRequestOf(req, entry.digest, key, { requestId, urgency: 'urgent' }),
    nocache: false,
    id: `chain-${key.slice(0, 12)}-${now}`,
    objectKey: objectKeyFor(deps.objectPrefix, key, req.outtype),
    createdAt: now,
    deadline: now,
    attempt: 1,
  };
}
