/** Every declared component has an implementation: the compiler checks it here. */
import type { ComponentId } from '../../../shared/components/registry.ts';
import { c2g } from './c2g.ts';
import { noiseCieLch } from './colour.ts';
import { retroCurve } from './retro-curve.ts';
import { colorDodge, screen, srcOver } from './composite.ts';
import { crop } from './crop.ts';
import { brightnessContrast, edgeSobel, motionBlurLinear, noiseReduction } from './filters.ts';
import { gaussianBlur } from './gaussian-blur.ts';
import { gradientMap } from './gradient-map.ts';
import { grey } from './grey.ts';
import { nop } from './nop.ts';
import { opacity } from './opacity.ts';
import { rotateOnCenter } from './rotate-on-center.ts';
import { resize, resizeStep, thumbnail, thumbnailStep } from './resize.ts';
import type { ComponentImpl, PipelineStep } from './types.ts';
import { watermark } from './watermark.ts';

export const IMPLS = {
  nop,
  crop,
  gaussianBlur,
  rotateOnCenter,
  grey,
  gradientMap,
  opacity,
  srcOver,
  screen,
  colorDodge,
  edgeSobel,
  brightnessContrast,
  motionBlurLinear,
  noiseReduction,
  noiseCieLch,
  c2g,
  retroCurve,
  resize,
  thumbnail,
  watermark,
} satisfies Record<ComponentId, ComponentImpl>;

/** Components that also run inside one sharp pipeline (at most one resize per pipeline). */
export const PIPELINE_STEPS: Partial<Record<ComponentId, PipelineStep>> = {
  nop: (s) => s,
  resize: resizeStep,
  thumbnail: thumbnailStep,
};
