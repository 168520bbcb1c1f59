/**
 * noop: the bytes unchanged, only when they are an image of the requested type (or any image)
 * whose header is within the limits, as every input's is: nothing is decoded, nothing unchecked
 * is stored.
 */
import type { Metadata } from 'sharp';
import { unsupportedInput } from '../../shared/errors.ts';
import { CONTENT_TYPES, sniffImageType, type ImageType } from '../../shared/formats.ts';
import { runPipeline, type PipelineState, type PipelineStep } from '../runtime/pipeline.ts';
import { decode, uprightSize } from '../runtime/process-image.ts';
import { inputOf, type WorkerRuntime } from './runtime.ts';

interface NoopState extends PipelineState {
  readonly input: Uint8Array;
  readonly outtype: ImageType | null;
  type?: ImageType;
  meta?: Metadata;
}

const STEPS: ReadonlyArray<PipelineStep<NoopState>> = [
  {
    name: 'screen',
    run: ({ input, outtype }) => {
      const type = sniffImageType(input);
      if (type === null) throw unsupportedInput('not an image');
      if (outtype !== null && outtype !== type) throw unsupportedInput(`the input is ${type}, not ${outtype}`);
      return { type };
    },
  },
  { name: 'decode', run: async (s) => ({ meta: (await decode(s.input, s.limits, false)).meta }) },
  {
    name: 'encode',
    run: ({ input, type, meta }) => ({
      out: { body: Buffer.from(input.buffer, input.byteOffset, input.byteLength), contentType: CONTENT_TYPES[type!], ...uprightSize(meta!) },
    }),
  },
];

export const noop: WorkerRuntime = { run: (task) => runPipeline(STEPS, { limits: task.limits, input: inputOf(task), outtype: task.outtype }) };
