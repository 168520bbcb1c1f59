/** Components that make an image from nothing (generative graphs have no input). */
import type { ComponentDecl, OutputSize } from './types.ts';

const declaredSize: OutputSize = (_inputs, p) => ({ width: Number(p.width), height: Number(p.height) });

const size = (what: string, def: number) =>
  ({ type: 'int', description: `${what} of the image`, default: def, minimum: 1, maximum: 4000 }) as const;

export const fill = {
  name: 'canvas/fill',
  description: 'A canvas filled with one colour',
  inputs: [],
  properties: {
    color: { type: 'color', description: 'Fill colour (CSS: #rgb, #rrggbb, #rrggbbaa, rgb(), names)', default: '#ff00ffff' },
    width: size('Width', 600),
    height: size('Height', 400),
  },
  outputSize: declaredSize,
} as const satisfies ComponentDecl;

export const delaunay = {
  name: 'generate/delaunay-triangles',
  description: 'A random Delaunay triangulation, the same for the same seed',
  inputs: [],
  properties: {
    seed: { type: 'string', description: 'Any text; the same seed gives the same image', default: '' },
    width: size('Width', 600),
    height: size('Height', 400),
  },
  outputSize: declaredSize,
} as const satisfies ComponentDecl;
