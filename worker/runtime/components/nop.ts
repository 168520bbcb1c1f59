import type { ComponentImpl } from './types.ts';

export const nop: ComponentImpl = (inputs) => inputs.input!;
