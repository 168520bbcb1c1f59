/**
 * The cache key (SPEC §3.4): SHA-256 over a canonical JSON form of everything that determines
 * the result — schema version, graph name and digest, output type, input, and the typed
 * parameters with defaults, sorted by name. Credentials, `_exp`, `_nocache` and `debug` are
 * not in it; parameter order and percent-encoding cannot change it.
 */
import type { OutputType } from './formats.ts';
import type { IndexCommit } from './ports.ts';
import { canonicalJson, sha256Hex } from './hash.ts';
import type { ResolvedRequest } from './request.ts';

export const CACHE_KEY_VERSION = 1;

export function canonicalForm(req: ResolvedRequest, graphDigest: string): string {
  return canonicalJson({
    v: CACHE_KEY_VERSION,
    graph: req.graph,
    digest: graphDigest,
    type: req.outtype ?? 'source',
    input: req.input,
    params: req.params,
  });
}

export async function cacheKey(req: ResolvedRequest, graphDigest: string): Promise<string> {
  return (await sha256Hex(canonicalForm(req, graphDigest))).slice(0, 40);
}

/**
 * Where a cache key's results are stored: `<prefix>/<key>/`. Each result is an object in it
 * named by a digest of its own bytes, so an object key never holds other bytes: a result made
 * again from a changed source is a new object, and the old one answers its old bytes until it is
 * removed (worker/results.ts).
 */
export function resultFolder(prefix: string, key: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed ? `${trimmed}/${key}/` : `${key}/`;
}

/** A result's object key: `<prefix>/<key>/<digest>.<ext>`; no extension when noop keeps the input type. */
export function resultObjectKey(prefix: string, key: string, outtype: OutputType | null, digest: string): string {
  const base = `${resultFolder(prefix, key)}${digest}`;
  return outtype ? `${base}.${outtype}` : base;
}

/** The name of the record of the sources a key's result was made from. */
export const sourcesKey = (key: string) => `imgflo:sources:${key}`;
/** The name of the marker that a key's result had its sources checked lately (IMGFLO_SOURCE_MAX_AGE). */
export const freshKey = (key: string) => `imgflo:fresh:${key}`;

/** The name of a result's entry in the cache index. */
export const indexKey = (key: string) => `imgflo:index:${key}`;

/** The name of the short-lived record that processing this key failed. */
export const failureKey = (key: string) => `imgflo:failed:${key}`;
/** The name of the marker that a job for this key is in flight. */
export const inflightKey = (key: string) => `imgflo:inflight:${key}`;

/** The name of the set of results of a graph, or of an input (by a digest of its URL). */
export async function lineageKey(of: { graph: string } | { input: string }): Promise<string> {
  if ('graph' in of) return `imgflo:lineage:graph:${of.graph}`;
  return `imgflo:lineage:input:${(await sha256Hex(of.input)).slice(0, 32)}`;
}

/** How a lineage set holds one result. */
export const lineageMember = (key: string, objectKey: string) => `${key} ${objectKey}`;

/** A committed result's lineage (ports.ts IndexCommit): its member, and the sets it joins (its graph's, each input's). */
export async function commitLineage(c: Pick<IndexCommit, 'key' | 'objectKey' | 'graph' | 'inputs'>): Promise<{ member: string; sets: string[] }> {
  const sets = await Promise.all([lineageKey({ graph: c.graph }), ...c.inputs.map((input) => lineageKey({ input }))]);
  return { member: lineageMember(c.key, c.objectKey), sets };
}
export const parseLineageMember = (m: string) => {
  const [key, objectKey] = m.split(' ');
  return { key: key!, objectKey: objectKey! };
};
