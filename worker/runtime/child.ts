/**
 * A processing process: runs one job's pipeline at a time and answers with the encoded result
 * or a typed error body. Its parent (processor.ts) kills it, with all of its native work and
 * memory, at the job's deadline or past the memory limit.
 */
import sharp from 'sharp';
import type { PropValue } from '../../shared/components/types.ts';
import { isImgfloError, type ErrorBody } from '../../shared/errors.ts';
import type { ImageType } from '../../shared/formats.ts';
import type { GraphEntry } from '../../shared/graph/catalogue.ts';
import { describeImage } from './info.ts';
import { processImage, storeAsIs, type ProcessLimits } from './process-image.ts';

export interface ProcessingTask {
  entry: GraphEntry;
  params: Record<string, PropValue>;
  input: Uint8Array | null;
  /** The bytes of the graph's other image inports (`overlay`, ...), by name. */
  images?: Record<string, Uint8Array>;
  /** null: the graph's default (JPEG), or for noop the input's own type. */
  outtype: ImageType | null;
  limits: ProcessLimits;
}

export type ProcessingAnswer =
  | { ok: true; body: Uint8Array; contentType: string }
  | { ok: false; error: ErrorBody }
  | { ok: false; bug: string };

/** What the parent sends, and what this process answers (with its CPU time so far, in µs). */
export type ChildRequest = { id: number; task: ProcessingTask };
export type ChildMessage = { ready: true } | { id: number; answer: ProcessingAnswer; cpuMicros: number };

export async function runTask(task: ProcessingTask): Promise<ProcessingAnswer> {
  try {
    const { runtime } = task.entry.compiled;
    const out =
      runtime === 'info'
        ? await describeImage(task.input!, task.limits)
        : runtime === 'noop'
          ? await storeAsIs(task.input!, task.outtype, task.limits)
          : await processImage(task.entry, task.params, task.input, task.outtype ?? 'jpg', task.limits, task.images);
    return { ok: true, body: out.body, contentType: out.contentType };
  } catch (e) {
    if (isImgfloError(e)) return { ok: false, error: e.toBody() };
    return { ok: false, bug: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

if (process.send) {
  const send = process.send.bind(process) as (message: ChildMessage) => boolean;
  sharp.cache(false);
  sharp.concurrency(Number(process.env.IMGFLO_SHARP_CONCURRENCY) || 1);
  process.on('message', (request: ChildRequest) => {
    void runTask(request.task).then((answer) => {
      const cpu = process.cpuUsage();
      send({ id: request.id, answer, cpuMicros: cpu.user + cpu.system });
    });
  });
  // The parent gone (or closing the pool): nothing is left to answer.
  process.on('disconnect', () => process.exit(0));
  send({ ready: true });
}
