/**
 * Components with the names and property ranges of the GEGL operations the original graphs use
 * (GEGL 0.3.10; reference/imgflo-server.md §7.3). Unbounded GEGL doubles get practical bounds.
 */
import type { ComponentDecl } from './types.ts';

const COORD = 1_000_000;

export const nop = {
  name: 'gegl/nop',
  description: 'Identity: passes its input through',
  inputs: ['input'],
  properties: {
    ignored: {
      type: 'string',
      description: 'Accepted and ignored; only makes a distinct cache entry',
      default: '',
    },
  },
} as const satisfies ComponentDecl;

export const crop = {
  name: 'gegl/crop',
  description: 'Cuts out a rectangle; area outside the image is transparent',
  inputs: ['input'],
  properties: {
    x: { type: 'number', description: 'Left edge of the rectangle', default: 0, minimum: -COORD, maximum: COORD },
    y: { type: 'number', description: 'Top edge of the rectangle', default: 0, minimum: -COORD, maximum: COORD },
    width: { type: 'number', description: 'Width of the rectangle', default: 10, minimum: 1, maximum: 65535 },
    height: { type: 'number', description: 'Height of the rectangle', default: 10, minimum: 1, maximum: 65535 },
  },
  outputSize: (_inputs, p) => ({ width: Math.max(1, Math.round(Number(p.width))), height: Math.max(1, Math.round(Number(p.height))) }),
} as const satisfies ComponentDecl;

export const gaussianBlur = {
  name: 'gegl/gaussian-blur',
  description: 'Gaussian blur in linear light, separable, with its own sigma per axis',
  inputs: ['input'],
  properties: {
    'std-dev-x': {
      type: 'number',
      description: 'Standard deviation for the horizontal axis',
      default: 1.5,
      minimum: 0,
      maximum: 1500,
    },
    'std-dev-y': {
      type: 'number',
      description: 'Standard deviation for the vertical axis',
      default: 1.5,
      minimum: 0,
      maximum: 1500,
    },
    'abyss-policy': {
      type: 'enum',
      description: 'How image edges are handled',
      default: 'clamp',
      values: ['none', 'clamp', 'black', 'white'],
    },
    'clip-extent': {
      type: 'boolean',
      description: 'Keep the size of the input (otherwise the blur grows the canvas)',
      default: true,
    },
    filter: {
      type: 'enum',
      description: 'Blur filter (all produce a Gaussian)',
      default: 'auto',
      values: ['auto', 'fir', 'iir'],
    },
  },
} as const satisfies ComponentDecl;
