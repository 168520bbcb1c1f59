/** info: describes its input as JSON (shared/info.ts); no graph file has it. */
import { IMAGE_INPUT, type RuntimeSpec } from './runtime.ts';

export const info: RuntimeSpec = {
  makesImage: false,
  formats: [],
  answers: 'json',
  inputDescription: IMAGE_INPUT,
  describe: () => 'Describes the input image',
  defaultQuality: () => undefined,
};
