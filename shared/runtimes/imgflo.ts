/** imgflo: graphs of the component library (shared/components/), compiled into a plan of steps. */
import { PROCESSED_TYPES, VIDEO_TYPES } from '../formats.ts';
import { compileImgfloGraph } from '../graph/compile.ts';
import { IMAGE_INPUT, type RuntimeSpec } from './runtime.ts';

export const imgflo: RuntimeSpec = {
  graphs: { names: (type) => type === 'imgflo', compile: compileImgfloGraph },
  makesImage: true,
  // Every frame of a video (or an animation) through the graph too (worker/runtimes/video.ts).
  formats: [...PROCESSED_TYPES, ...VIDEO_TYPES],
  answers: 'image',
  inputDescription: IMAGE_INPUT,
  describe: (name) => `Processing graph ${name}`,
  defaultQuality: () => undefined,
};
