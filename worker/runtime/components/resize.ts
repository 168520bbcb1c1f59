/**
 * image/resize and image/thumbnail — sharp's resize, so they also run inside a decode→encode
 * pipeline (which keeps animations animated) and on raw images between other steps.
 */
import type { Sharp } from 'sharp';
import type { PropValue } from '../../../shared/components/types.ts';
import { parseColor } from '../../../shared/color.ts';
import { fromSharp, toSharp } from '../raw-image.ts';
import type { ComponentImpl, PipelineStep } from './types.ts';

function position(value: PropValue, fit: string): string {
  const p = String(value);
  if (p === 'entropy' || p === 'attention') return fit === 'cover' ? p : 'centre';
  return p.replace('-', ' ');
}

export const resizeStep: PipelineStep = (s: Sharp, props) => {
  const width = Number(props.width) || undefined;
  const height = Number(props.height) || undefined;
  if (!width && !height) return s;
  const fit = String(props.fit) as 'cover' | 'contain' | 'fill' | 'inside' | 'outside';
  const bg = parseColor(String(props.background)) ?? { r: 0, g: 0, b: 0, a: 0 };
  return s.resize({
    width,
    height,
    fit,
    position: position(props.position ?? 'centre', fit),
    background: { r: bg.r, g: bg.g, b: bg.b, alpha: bg.a },
    withoutEnlargement: props['without-enlargement'] === true,
  });
};

export const thumbnailStep: PipelineStep = (s, props) =>
  s.resize({ width: Number(props.size), height: Number(props.size), fit: 'cover', position: position(props.position ?? 'attention', 'cover') });

const onRaw =
  (step: PipelineStep): ComponentImpl =>
  (inputs, props) =>
    fromSharp(step(toSharp(inputs.input!), props));

export const resize = onRaw(resizeStep);
export const thumbnail = onRaw(thumbnailStep);
