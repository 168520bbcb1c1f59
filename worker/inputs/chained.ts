/**
 * A chained `graph/...` input as a job of the same request: resolved with the edge's rules
 * (catalogue, parameters, cache key), so its result is the one the edge would find for that
 * URL, and read from the object store — never fetched over HTTP from the service itself.
 */
import { cacheKey } from '../../shared/cache-key.ts';
import { MAX_CHAIN_DEPTH, parseChained } from '../../shared/chain.ts';
import { inputKind } from '../../shared/input-ref.ts';
import { imageInports } from '../../shared/graph/compile.ts';
import { resolveImageRef } from '../../shared/input-ref.ts';
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
  if (!entry) throw unknownGraph(path.graph, deps.catalogue.keys());
  // The service's presets only: an app's own are the edge's to expand.
  const req = resolveRequest(entry, path.ext, withPreset(entry, pairs), { sizeLimitMegapixels: deps.sizeLimitMegapixels });
  const key = await cacheKey(req, entry.digest);
  const now = deps.clock.now();
  return {
    ...jobRequestOf(req, entry.digest, key, { requestId, urgency: 'urgent' }),
    nocache: false,
    id: `chain-${key.slice(0, 12)}-${now}`,
    createdAt: now,
    deadline: now,
    attempt: 1,
  };
}

/**
 * Every image a result is made from: the references it names, and through each chained
 * `graph/...` reference the images that names (its input, its other image inports, its
 * fallback), to the chain's depth. A purge of a source reaches results that used it through a
 * chain. A reference that does not resolve names nothing more.
 */
export function chainSources(refs: ReadonlyArray<string>, catalogue: Catalogue, depth = 0): string[] {
  const sources = new Set<string>();
  for (const ref of refs) {
    sources.add(ref);
    if (inputKind(ref).kind !== 'chained' || depth >= MAX_CHAIN_DEPTH) continue;
    const { path, pairs } = parseChained(ref);
    const entry = catalogue.get(path.graph);
    const names = new Set(['input', 'fallback', ...(entry ? imageInports(entry.compiled) : [])]);
    const inner = pairs.flatMap(([name, value]) => {
      if (!names.has(name)) return [];
      try {
        return [resolveImageRef(name, value)];
      } catch {
        return [];
      }
    });
    for (const source of chainSources(inner, catalogue, depth + 1)) sources.add(source);
  }
  return [...sources];
}
