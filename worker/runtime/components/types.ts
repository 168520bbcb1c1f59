import type { Sharp } from 'sharp';
import type { PropValue } from '../../../shared/components/types.ts';
import type { RawImage } from '../raw-image.ts';

/** How a component works: image ports in, one image out; props are typed and clamped. */
export type ComponentImpl = (
  inputs: Readonly<Record<string, RawImage>>,
  props: Readonly<Record<string, PropValue>>,
) => RawImage | Promise<RawImage>;

/** A component that can also run as a step of a sharp pipeline (decode → … → encode). */
export type PipelineStep = (pipeline: Sharp, props: Readonly<Record<string, PropValue>>) => Sharp;
