/**
 * `imgflo purge --graph NAME | --input URL`: removes the results of a graph or of an input from
 * the index and from storage. The workers keep a lineage record per result, so nothing scans
 * the bucket.
 */
import { normalizeInput } from '../../shared/request.ts';
import type { CacheIndex, LineageQuery, ObjectStore } from '../../shared/ports.ts';
import { CliError } from './apps.ts';

export const PURGE_HELP = `usage: imgflo purge --graph NAME | --input URL [--dry-run]

Removes every stored result of a graph, or of an input (as written in processing URLs, e.g.
files/mountains.png or https://example.com/a.jpg), from the cache index and from storage.
Needs IMGFLO_REDIS_URL and the storage settings (IMGFLO_S3_*, or IMGFLO_DATA_DIR for local disk).`;

export async function purge(index: CacheIndex, store: ObjectStore, o: { graph?: string; input?: string; dryRun?: boolean }) {
  if (Boolean(o.graph) === Boolean(o.input)) throw new CliError('give either --graph or --input');
  const of: LineageQuery = o.graph ? { graph: o.graph } : { input: normalizeInput(o.input!) };
  const results = await index.lineage(of);
  if (!o.dryRun) {
    for (const r of results) {
      await index.delete(r.key);
      await store.delete(r.objectKey);
    }
    await index.forgetLineage(of);
  }
  return { ...of, purged: results.length, dryRun: Boolean(o.dryRun), objects: results.map((r) => r.objectKey) };
}
