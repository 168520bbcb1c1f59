/** Every declared component has an implementation: the compiler checks it here. */
import type { ComponentId } from '../../../shared/components/registry.ts';
import { c2g, noiseCieLch, retroCurve } from './colour.ts';
import { colorDodge, screen, srcOver } from './composite.ts';
import { crop } from './crop.ts';
import { brightnessContrast, edgeSobel, motionBlurLinear, noiseReduction } from './filters.ts';
import { gaussianBlur } from './gaussian-blur.ts';
import { delaunay, fill } from './generate.ts';
import { gradientMap } from './gradient-map.ts';
import { grey } from './grey.ts';
import { nop } from './nop.ts';
import { opacity } from './opacity.ts';
import { rotateOnCenter } from './rotate-on-center.ts';
import type { ComponentImpl } from './types.ts';

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
  fill,
  delaunay,
} satisfies Record<ComponentId, ComponentImpl>;
