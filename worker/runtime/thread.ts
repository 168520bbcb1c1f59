/**
 * A processing thread: runs one job's pipeline at a time and answers with the encoded result
 * or a typed error body. The pool (processor.ts) terminates the thread at the deadline.
 */
import sharp from 'sharp';
import type { PropValue } from '../../shared/components/types.ts';
import { isImgfloError, type ErrorBody } from '../../shared/errors.ts';
import type { ImageType } from '../../shared/formats.ts';
import type { GraphEntry } from '../../shared/graph/catalogue.ts';
import { describeImage } from './info.ts';
import { processImage, type ProcessLimits } from './process-image.ts';

export interface ThreadTask {
  entry: GraphEntry;
  params: Record<string, PropValue>;
  input: Uint8Array | null;
  /** The bytes of the graph's other image inports (`overlay`, ...), by name. */
  images?: Record<string, Uint8Array>;
  outtype: ImageType;
  limits: ProcessLimits;
}

export type ThreadAnswer =
  | { ok: true; body: Uint8Array; contentType: string }
  | { ok: false; error: ErrorBody }
  | { ok: false; bug: string };

sharp.cache(false);

export default async function run(task: ThreadTask): Promise<ThreadAnswer> {
  try {
    const out =
      task.entry.compiled.runtime === 'info'
        ? await describeImage(task.input!, task.limits)
        : await processImage(task.entry, task.params, task.input, task.outtype, task.limits, task.images);
    return { ok: true, body: out.body, contentType: out.contentType };
  } catch (e) {
    if (isImgfloError(e)) return { ok: false, error: e.toBody() };
    return { ok: false, bug: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}
