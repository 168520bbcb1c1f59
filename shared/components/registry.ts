/** The component library: every component a graph may name, found by name or alias. */
import { crop, gaussianBlur, nop } from './gegl.ts';
import {
  brightnessContrast,
  c2g,
  colorDodge,
  edgeSobel,
  gradientMap,
  grey,
  motionBlurLinear,
  noiseCieLch,
  noiseReduction,
  opacity,
  retroCurve,
  rotateOnCenter,
  screen,
  srcOver,
} from './gegl-more.ts';
import { resize, thumbnail, watermark } from './image.ts';
import type { ComponentDecl } from './types.ts';

export const COMPONENTS = {
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
} as const satisfies Record<string, ComponentDecl>;

export type ComponentId = keyof typeof COMPONENTS;

const byName = new Map<string, ComponentId>();
for (const [id, decl] of Object.entries(COMPONENTS) as Array<[ComponentId, ComponentDecl]>) {
  for (const name of [decl.name, ...(decl.aliases ?? [])]) byName.set(name.toLowerCase(), id);
}

/** Resolves a component name as graph files write it; a `_suffix` node id is ignored. */
export function findComponent(name: string): ComponentId | null {
  const lower = name.toLowerCase();
  return byName.get(lower) ?? byName.get(lower.replace(/_[a-z0-9]+$/, '')) ?? null;
}

export function componentDecl(id: ComponentId): ComponentDecl {
  return COMPONENTS[id];
}
