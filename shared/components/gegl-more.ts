/**
 * The other GEGL operations of the original graphs (GEGL 0.3.10 names, ranges and defaults;
 * unbounded values get practical bounds). Semantics: reference/imgflo-server.md §7.2–7.3.
 */
import type { ComponentDecl } from './types.ts';

const srgb = { type: 'boolean', description: 'Use sRGB gamma instead of linear light', default: false } as const;
const color = (n: number, def: string) =>
  ({ type: 'color', description: `Color ${n}`, default: def }) as const;
const stop = (n: number, def: number) =>
  ({ type: 'number', description: `Stop ${n}`, default: def, minimum: -1000, maximum: 1000 }) as const;

export const rotateOnCenter = {
  name: 'gegl/rotate-on-center',
  description: 'Rotates clockwise about the centre; the canvas grows to hold the result',
  inputs: ['input'],
  properties: {
    degrees: { type: 'number', description: 'Angle to rotate (clockwise)', default: 0, minimum: -3600, maximum: 3600 },
    sampler: { type: 'enum', description: 'Sampler used internally', default: 'linear', values: ['nearest', 'linear', 'cubic', 'nohalo', 'lohalo'] },
  },
  // The bounding box of the rotated rectangle.
  outputSize: ([input], p) => {
    const rad = (Number(p.degrees) * Math.PI) / 180;
    const cos = Math.abs(Math.cos(rad));
    const sin = Math.abs(Math.sin(rad));
    const { width: w, height: h } = input!;
    return { width: Math.max(1, Math.ceil(w * cos + h * sin)), height: Math.max(1, Math.ceil(w * sin + h * cos)) };
  },
} as const satisfies ComponentDecl;

export const grey = {
  name: 'gegl/grey',
  aliases: ['gegl/gray', 'imgflo/example'],
  description: 'Turns the image grey: linear luminance',
  inputs: ['input'],
  properties: {},
} as const satisfies ComponentDecl;

export const gradientMap = {
  name: 'gegl/gradient-map',
  description: 'Maps luminance onto a gradient of up to five colour stops',
  inputs: ['input'],
  properties: {
    color1: color(1, '#000000ff'),
    color2: color(2, '#ffffffff'),
    color3: color(3, '#ffffffff'),
    color4: color(4, '#ffffffff'),
    color5: color(5, '#ffffffff'),
    stop1: stop(1, 0),
    stop2: stop(2, 1),
    stop3: stop(3, 1),
    stop4: stop(4, 1),
    stop5: stop(5, 1),
    srgb: { ...srgb, description: 'Map gamma luma and interpolate in sRGB (Photoshop-compatible)' },
  },
} as const satisfies ComponentDecl;

export const opacity = {
  name: 'gegl/opacity',
  description: 'Multiplies the alpha (and the premultiplied colour) by a value',
  inputs: ['input'],
  properties: {
    value: {
      type: 'number',
      description: 'Global opacity value that is always used on top of the optional auxiliary input buffer.',
      default: 1,
      minimum: -10,
      maximum: 10,
    },
  },
} as const satisfies ComponentDecl;

const composite = (name: string, description: string) =>
  ({ name, description, inputs: ['input', 'aux'], properties: { srgb } }) as const satisfies ComponentDecl;

export const srcOver = composite('svg/src-over', 'Places aux over input (SVG 1.2 src-over)');
export const screen = composite('svg/screen', 'Screen blend of aux onto input (SVG 1.2)');
export const colorDodge = composite('svg/color-dodge', 'Colour-dodge blend of aux onto input (SVG 1.2)');

export const edgeSobel = {
  name: 'gegl/edge-sobel',
  description: 'Sobel edge detection, per channel, in linear light',
  inputs: ['input'],
  properties: {
    horizontal: { type: 'boolean', description: 'Horizontal', default: true },
    vertical: { type: 'boolean', description: 'Vertical', default: true },
    'keep-sign': { type: 'boolean', description: 'Keep negative values in result', default: false },
  },
} as const satisfies ComponentDecl;

export const brightnessContrast = {
  name: 'gegl/brightness-contrast',
  description: 'Brightness and contrast in linear light: (v − 0.5)·contrast + 0.5 + brightness',
  inputs: ['input'],
  properties: {
    contrast: { type: 'number', description: 'Magnitude of contrast scaling >1.0 brighten < 1.0 darken', default: 1, minimum: -5, maximum: 5 },
    brightness: { type: 'number', description: 'Amount to increase brightness', default: 0, minimum: -3, maximum: 3 },
  },
} as const satisfies ComponentDecl;

export const motionBlurLinear = {
  name: 'gegl/motion-blur-linear',
  description: 'Blurs along a line of the given length and angle',
  inputs: ['input'],
  properties: {
    length: { type: 'number', description: 'Length of blur in pixels', default: 10, minimum: 0, maximum: 1000 },
    angle: { type: 'number', description: 'Angle of blur in degrees', default: 0, minimum: -180, maximum: 180 },
  },
} as const satisfies ComponentDecl;

export const noiseReduction = {
  name: 'gegl/noise-reduction',
  description: 'Anisotropic, edge-preserving smoothing, repeated',
  inputs: ['input'],
  properties: {
    iterations: {
      type: 'int',
      description: 'Controls the number of iterations; lower values give less plastic results',
      default: 4,
      minimum: 0,
      maximum: 32,
    },
  },
} as const satisfies ComponentDecl;

export const noiseCieLch = {
  name: 'gegl/noise-cie-lch',
  description: 'Seeded noise in CIE LCh',
  inputs: ['input'],
  properties: {
    seed: { type: 'int', description: 'Random seed', default: 0, minimum: 0, maximum: 2147483647 },
    holdness: { type: 'int', description: 'Dulling', default: 2, minimum: 1, maximum: 8 },
    'lightness-distance': { type: 'number', description: 'Lightness', default: 40, minimum: 0, maximum: 100 },
    'chroma-distance': { type: 'number', description: 'Chroma', default: 40, minimum: 0, maximum: 100 },
    'hue-distance': { type: 'number', description: 'Hue', default: 3, minimum: 0, maximum: 180 },
  },
} as const satisfies ComponentDecl;

export const c2g = {
  name: 'gegl/c2g',
  description: 'Colour to grey that keeps local contrast: STRESS, from random samples around each pixel (deterministic per URL)',
  inputs: ['input'],
  properties: {
    radius: { type: 'int', description: 'Neighborhood taken into account, this is the radius in pixels', default: 300, minimum: 2, maximum: 3000 },
    samples: { type: 'int', description: 'Number of samples to do per iteration', default: 4, minimum: 1, maximum: 1000 },
    iterations: { type: 'int', description: 'Number of iterations', default: 10, minimum: 1, maximum: 1000 },
  },
  samplesPerPixel: (props) => Number(props.samples) * Number(props.iterations),
} as const satisfies ComponentDecl;

export const retroCurve = {
  name: 'imgfloextra/retro-curve',
  description: 'Colour grading curves in the style of instant-film looks',
  inputs: ['input'],
  properties: {
    preset: { type: 'enum', description: 'Which curve to apply', default: 'prog', values: ['none', 'prog', 'indie', 'batcave', 'country'] },
  },
} as const satisfies ComponentDecl;
