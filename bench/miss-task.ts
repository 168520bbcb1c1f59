/**
 * The benchmark's miss as a processing task: the photo scaled to 800 px wide through passthrough,
 * as JPEG or WebP, each with an input buffer of its own (as a job read from disk or the network has).
 */
import { resolveRequest } from '../shared/request.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import type { ProcessingTask } from '../worker/runtime/task.ts';

export async function missTask(photo: Buffer): Promise<(outtype: 'jpg' | 'webp') => ProcessingTask> {
  const catalogue = await loadCatalogue(new URL('../graphs', import.meta.url).pathname);
  const entry = catalogue.get('passthrough')!;
  return (outtype) => ({
    entry,
    params: resolveRequest(entry, outtype, [['input', 'files/photo.jpg'], ['width', '800']], { sizeLimitMegapixels: 25 }).params,
    input: Buffer.from(photo),
    outtype,
    limits: { maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + 60_000 },
  });
}
