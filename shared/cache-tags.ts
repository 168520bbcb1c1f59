/**
 * The tags a response carries in `Cache-Tag` (Cloudflare's, and other CDNs' surrogate keys), so
 * that a purge of a graph, of an input or of an app's results reaches a CDN's copies of their
 * redirects: `imgflo`, `imgflo:graph:<name>`, `imgflo:input:<digest>` for each image the result
 * was made from (the same digest as the purge's lineage), and `imgflo:app:<key>` when signed.
 */
import { sha256Hex } from './hash.ts';

export const graphTag = (graph: string) => `imgflo:graph:${graph}`;
export const inputTag = async (input: string) => `imgflo:input:${(await sha256Hex(input)).slice(0, 32)}`;
export const appTag = (key: string) => `imgflo:app:${key}`;

/** The tags of a result of `graph` made from `images` (input first, then other image inports). */
export async function cacheTags(graph: string, images: ReadonlyArray<string | null>): Promise<string> {
  const tags = ['imgflo', graphTag(graph)];
  for (const image of images) if (image !== null) tags.push(await inputTag(image));
  return [...new Set(tags)].join(',');
}
