/** Components for what today's image services do: resizing with fits and smart crops. */
import type { ComponentDecl, OutputSize } from './types.ts';

export const POSITIONS = [
  'centre', 'top', 'right-top', 'right', 'right-bottom', 'bottom', 'left-bottom', 'left', 'left-top',
  'north', 'northeast', 'east', 'southeast', 'south', 'southwest', 'west', 'northwest', 'entropy', 'attention',
] as const;

const side = (what: string) =>
  ({ type: 'int', description: `${what} of the result (0: from the other side and the aspect ratio)`, default: 0, minimum: 0, maximum: 16383 }) as const;

/** The largest size sharp's resize can give: the box, or the input scaled to cover it. */
const resizedSize: OutputSize = ([input], p) => {
  const { width: sw, height: sh } = input!;
  const w = Number(p.width) || 0;
  const h = Number(p.height) || 0;
  if (!w && !h) return input!;
  let factor = w && h ? (p.fit === 'inside' ? Math.min(w / sw, h / sh) : Math.max(w / sw, h / sh)) : w ? w / sw : h / sh;
  if (p['without-enlargement'] === true) factor = Math.min(1, factor);
  const scaled = { width: Math.ceil(sw * factor), height: Math.ceil(sh * factor) };
  if (!(w && h) || p.fit === 'inside' || p.fit === 'outside') return scaled;
  return p['without-enlargement'] === true ? { width: Math.min(w, scaled.width), height: Math.min(h, scaled.height) } : { width: w, height: h };
};

export const resize = {
  name: 'image/resize',
  description: 'Resizes to fit a box: cover, contain, fill, inside or outside',
  inputs: ['input'],
  properties: {
    width: side('Width'),
    height: side('Height'),
    fit: { type: 'enum', description: 'How the image fits the box', default: 'cover', values: ['cover', 'contain', 'fill', 'inside', 'outside'] },
    position: { type: 'enum', description: 'What to keep when cover crops, or where contain places the image; entropy and attention choose by content', default: 'centre', values: POSITIONS },
    background: { type: 'color', description: 'Colour around the image with fit=contain', default: '#00000000' },
    'without-enlargement': { type: 'boolean', description: 'Never make the image larger than it is', default: false },
  },
  outputSize: resizedSize,
} as const satisfies ComponentDecl;

/** Where an overlay goes on its base. */
export const GRAVITIES = ['centre', 'north', 'northeast', 'east', 'southeast', 'south', 'southwest', 'west', 'northwest'] as const;

export const watermark = {
  name: 'image/watermark',
  description: 'Composites an overlay image on the input: at a gravity and margin, or tiled over it; sized as a share of the input\'s width, with an opacity',
  inputs: ['input', 'overlay'],
  rescales: ['overlay'],
  properties: {
    gravity: { type: 'enum', description: 'Where the overlay goes', default: 'southeast', values: GRAVITIES },
    opacity: { type: 'number', description: 'Opacity of the overlay, 0–1', default: 1, minimum: 0, maximum: 1 },
    margin: { type: 'int', description: 'Pixels between the overlay and the edges (with tile: between the tiles)', default: 0, minimum: 0, maximum: 4096 },
    scale: { type: 'number', description: 'Width of the overlay as a share of the input\'s width, 0–1 (0: its own size); it always fits inside the input', default: 0.25, minimum: 0, maximum: 1 },
    tile: { type: 'boolean', description: 'Repeat the overlay over the whole input', default: false },
  },
} as const satisfies ComponentDecl;

export const thumbnail = {
  name: 'image/thumbnail',
  description: 'A square thumbnail, cropped to what draws the eye',
  inputs: ['input'],
  properties: {
    size: { type: 'int', description: 'Width and height of the thumbnail', default: 200, minimum: 1, maximum: 4096 },
    position: { type: 'enum', description: 'What to keep', default: 'attention', values: POSITIONS },
  },
  outputSize: (_inputs, p) => ({ width: Number(p.size), height: Number(p.size) }),
} as const satisfies ComponentDecl;
