/** NoFlo graphs (`noflo-nodejs`, `noflo-browser`): kept whole, drawn on a canvas the URL sizes. */
import { PROCESSED_TYPES } from '../formats.ts';
import { canvasSize, compileNofloGraph, NOFLO_JPEG_QUALITY } from '../graph/compile-noflo.ts';
import { isNofloRuntime } from '../noflo/components.ts';
import { IMAGE_INPUT, type RuntimeSpec } from './runtime.ts';

export const noflo: RuntimeSpec = {
  graphs: { names: isNofloRuntime, compile: compileNofloGraph },
  makesImage: true,
  formats: PROCESSED_TYPES,
  answers: 'image',
  inputDescription: IMAGE_INPUT,
  describe: (name) => `Processing graph ${name}`,
  defaultQuality: (outtype) => (outtype === 'jpg' ? NOFLO_JPEG_QUALITY : undefined),
  canvas: canvasSize,
};
