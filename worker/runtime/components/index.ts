/** Every declared component has an implementation: the compiler checks it here. */
import type { ComponentId } from '../../../shared/components/registry.ts';
import { crop } from './crop.ts';
import { gaussianBlur } from './gaussian-blur.ts';
import { nop } from './nop.ts';
import type { ComponentImpl } from './types.ts';

export const IMPLS = { nop, crop, gaussianBlur } satisfies Record<ComponentId, ComponentImpl>;
