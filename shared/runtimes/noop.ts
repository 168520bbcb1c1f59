/** noop: stores its input unchanged, when it is an image within the limits. */
import { OUTPUT_TYPES } from '../formats.ts';
import { GRAPH_INPUT } from '../graph/compile.ts';
import type { RuntimeSpec } from './runtime.ts';

export const noop: RuntimeSpec = {
  graphs: {
    names: (type) => type === 'noop',
    compile: (g, fail) => {
      if (Object.keys(g.processes).length > 0) fail('a noop graph has no processes');
      return { runtime: 'noop', steps: [], output: GRAPH_INPUT, inports: {}, generative: false, ignored: [] };
    },
  },
  makesImage: false,
  formats: OUTPUT_TYPES,
  answers: 'image',
  inputDescription: 'Input image or video: an http(s) URL or files/<name>',
  describe: () => 'Stores the input image or video unchanged (no processing)',
  defaultQuality: () => undefined,
};
