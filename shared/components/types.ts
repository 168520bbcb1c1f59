/** Declarations of processing components: typed properties with bounds, image ports. */
/** `image`: an exported image port other than `input` (shared/input-ref.ts), never a component's property. */
export type PropType = 'number' | 'int' | 'boolean' | 'string' | 'color' | 'enum' | 'image';

export type PropValue = number | boolean | string;

export interface PropDecl {
  type: PropType;
  description: string;
  default: PropValue;
  minimum?: number;
  maximum?: number;
  values?: readonly string[];
}

export interface Size {
  width: number;
  height: number;
}

/** The size of a component's output from its inputs' sizes and its properties. */
export type OutputSize = (inputs: readonly Size[], props: Readonly<Record<string, PropValue>>) => Size;

export interface ComponentDecl {
  /** Canonical name, e.g. `gegl/crop`. */
  name: string;
  /** Other names graph files may use for it. */
  aliases?: readonly string[];
  description: string;
  /** Image input ports (`input`, `aux`); empty for a source that makes an image. */
  inputs: readonly string[];
  /**
   * Image ports whose image the component resizes to a share of its input (watermark's
   * overlay): a vector image there is rasterised as large as the input, so it stays sharp.
   */
  rescales?: readonly string[];
  properties: Readonly<Record<string, PropDecl>>;
  /** How large the output is (or at most is), known before any work; absent: as its first input. */
  outputSize?: OutputSize;
  /** Work that grows with its properties, in samples read per output pixel (bounded before the work). */
  samplesPerPixel?: (props: Readonly<Record<string, PropValue>>) => number;
}
