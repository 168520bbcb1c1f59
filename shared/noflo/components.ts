/**
 * The NoFlo components the original's NoFlo graphs use, declared: their ports, and for a port a
 * graph may export, the type of the URL parameter it becomes. The implementations are NoFlo
 * components (worker/runtime/noflo/); the catalogue and the compiler need only this.
 */
import type { PropDecl } from '../components/types.ts';

export interface NofloPort {
  description: string;
  /** Exported as a URL parameter of this type (its default: the graph's IIP, else this one). */
  param?: Omit<PropDecl, 'description'>;
  /** One connection per index (NoFlo's addressable ports). */
  addressable?: boolean;
}

export interface NofloComponentDecl {
  description: string;
  inports: Readonly<Record<string, NofloPort>>;
  outports: readonly string[];
}

const number = (description: string): NofloPort => ({ description });

export const NOFLO_COMPONENTS: Readonly<Record<string, NofloComponentDecl>> = {
  'canvas/Draw': {
    description: 'Draws its commands, in the order of their connections, on the canvas',
    inports: {
      canvas: { description: 'The canvas to draw on' },
      commands: { description: 'Fills to draw', addressable: true },
      drawevery: { description: 'Draw whenever a command changes' },
      clearevery: { description: 'Clear the canvas before each drawing' },
    },
    outports: ['canvas'],
  },
  'canvas/Fill': {
    description: 'Fills shapes (paths, rectangles) with a CSS colour; arrays pair up item by item',
    inports: {
      items: { description: 'Shapes to fill', addressable: true },
      fillstyle: { description: 'Fill colour', param: { type: 'color', default: '#000000ff' } },
    },
    outports: ['fill'],
  },
  'canvas/MakePoint': { description: 'A point, or points from arrays of x and y', inports: { x: number('x'), y: number('y') }, outports: ['point'] },
  'canvas/MakeRectangle': {
    description: 'A rectangle from its corner and size',
    inports: { point: { description: 'Top-left corner' }, width: number('Width'), height: number('Height') },
    outports: ['rectangle'],
  },
  'canvas/MakeRGBColor': {
    description: 'CSS rgb()/rgba() colours from channels 0–255 (arrays make several)',
    inports: { red: number('Red'), green: number('Green'), blue: number('Blue'), alpha: number('Alpha, 0–1') },
    outports: ['color'],
  },
  'core/Split': { description: 'Sends what it receives to every connection', inports: { in: { description: 'Anything' } }, outports: ['out'] },
  'objects/ExtractProperty': {
    description: 'One property of an object',
    inports: { in: { description: 'The object' }, key: { description: 'The property name' } },
    outports: ['out'],
  },
  'geometry/Delaunay': {
    description: 'The Delaunay triangles of points, as paths',
    inports: { points: { description: 'Points' } },
    outports: ['paths'],
  },
  'math/Add': { description: 'augend + addend', inports: { augend: number('Augend'), addend: number('Addend') }, outports: ['sum'] },
  'md5/CalculateHash': {
    description: 'The MD5 of a text, as hex',
    inports: { in: { description: 'Text to hash', param: { type: 'string', default: '' } } },
    outports: ['hash'],
  },
  'seedrandom/RandomArray': {
    description: 'count numbers in [min, max) from seedrandom(seed)',
    inports: { seed: { description: 'Seed text' }, min: number('Minimum'), max: number('Maximum'), count: number('How many') },
    outports: ['numbers'],
  },
  'strings/SubStr': {
    description: 'limit characters of a text from index',
    inports: { in: { description: 'Text' }, index: number('Start'), limit: number('Length') },
    outports: ['out'],
  },
};

/** The exported inport that receives the canvas: the URL's width and height make it. */
export const CANVAS_INPORT = 'canvas';

/** NoFlo graphs' `environment.type`s. */
export const isNofloRuntime = (type: string) => type.startsWith('noflo-');
