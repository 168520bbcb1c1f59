/**
 * Parameters valid on every graph (SPEC §3.1). `width`/`height` scale the input before the
 * graph runs (one side keeps the aspect ratio, both stretch), as the original did.
 */
import type { PropDecl } from './components/types.ts';

export const MAX_DIMENSION = 16383;

export const SCALE_PARAMS = {
  width: {
    type: 'int',
    description: 'Scale the input to this width before processing (keeps the aspect ratio alone)',
    default: 0,
    minimum: 1,
    maximum: MAX_DIMENSION,
  },
  height: {
    type: 'int',
    description: 'Scale the input to this height before processing (keeps the aspect ratio alone)',
    default: 0,
    minimum: 1,
    maximum: MAX_DIMENSION,
  },
} as const satisfies Record<string, PropDecl>;

export const QUALITY_PARAM = {
  type: 'int',
  description: 'Encoder quality (defaults: jpg 85, webp 80, avif 60)',
  default: 0,
  minimum: 1,
  maximum: 100,
} as const satisfies PropDecl;

export const DEFAULT_QUALITY = { jpg: 85, webp: 80, avif: 60 } as const;

/** Names that never reach a graph and never name an inport. */
export const CONTROL_PARAMS = ['input', '_nocache', '_exp', 'debug'] as const;
