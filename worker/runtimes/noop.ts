/**
 * noop: the bytes unchanged, only when they are an image or a video of the requested type (or
 * of any type) whose header is within the limits, as every input's is: nothing is decoded,
 * nothing unchecked is stored.
 */
import type { Size } from '../../shared/components/types.ts';
import { unsupportedInput } from '../../shared/errors.ts';
import { CONTENT_TYPES, isVideoType, sniffType, type OutputType } from '../../shared/formats.ts';
import { runPipeline, type PipelineState, type PipelineStep } from '../runtime/pipeline.ts';
import { decode, uprightSize } from '../runtime/process-image.ts';
import { probeBytes } from '../video/source.ts';
import { inputOf, type WorkerRuntime } from './runtime.ts';

interface NoopState extends PipelineState {
  readonly input: Uint8Array;
  readonly outtype: OutputType | null;
  type?: OutputType;
  size?: Size;
}

const STEPS: ReadonlyArray<PipelineStep<NoopState>> = [
  {
    name: 'screen',
    run: ({ input, outtype }) => {
      const type = sniffType(input);
      if (type === null) throw unsupportedInput('not an image or a video');
      if (outtype !== null && outtype !== type) throw unsupportedInput(`the input is ${type}, not ${outtype}`);
      return { type };
    },
  },
  {
    name: 'decode',
    run: async (s) => {
      if (isVideoType(s.type!)) {
        const { width, height } = await probeBytes(s.type, s.input, s.limits);
        return { size: { width, height } };
      }
      return { size: uprightSize((await decode(s.input, s.limits, false)).meta) };
    },
  },
  {
    name: 'encode',
    run: ({ input, type, size }) => ({ out: { body: Buffer.from(input.buffer, input.byteOffset, input.byteLength), contentType: CONTENT_TYPES[type!], ...size! } }),
  },
];

export const noop: WorkerRuntime = { run: (task) => runPipeline(STEPS, { limits: task.limits, input: inputOf(task), outtype: task.outtype }) };
