/**
 * One job's image work as a declared pipeline with one exit:
 *
 *   screen → decode → plan → scale → graph → encode
 *
 * screen: SVG (and gzip) inputs must pass the SVG policy; decode: the header is read and the
 * limits (pixels, frames × pixels) are checked before any pixel is; plan: every intermediate
 * size and the output's are derived from the parameters (components declare their output
 * size) and checked against the limits before any allocation; scale: `width`/`height` in
 * linear light, as the original; graph: the compiled plan; encode: the output type.
 *
 * Each step wraps its failures with its name and maps them by kind: a libvips error (sharp
 * rejects with a plain `Error`) is the input's fault, 415, or 422 when it is the libvips
 * deadline; a refused allocation is 422 `size-limit`. Only a bug of ours stays an untyped error.
 * This runs inside a processing process (processor.ts), which is killed at the deadline.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { componentDecl } from '../../shared/components/registry.ts';
import type { PropValue, Size } from '../../shared/components/types.ts';
import { ImgfloError, inputPixels, invalidParameter, isImgfloError, ofInport, outputTooLarge, processingTimeout, tooManyFrames, unsupportedInput } from '../../shared/errors.ts';
import { ANIMATED_TYPES, CONTENT_TYPES, sniffImageType, type ImageType } from '../../shared/formats.ts';
import type { GraphEntry } from '../../shared/graph/catalogue.ts';
import { canvasSize, NOFLO_JPEG_QUALITY } from '../../shared/graph/compile-noflo.ts';
import { GRAPH_INPUT, graphImage, imageInports, type CompiledGraph, type PlanStep } from '../../shared/graph/compile.ts';
import { IMPLS, PIPELINE_STEPS } from './components/index.ts';
import { encode, MAX_OUTPUT_SIDE, type Encoded } from './encode.ts';
import { fromLinear, toLinear } from './linear-light.ts';
import { fromSharp, toSharp, type RawImage } from './raw-image.ts';
import { scaleLinear, targetSize } from './scale.ts';
import { screenSvg } from './svg-policy.ts';

export interface ProcessLimits {
  maxInputPixels: number;
  maxFrames: number;
  /** Epoch ms after which processing gives up. */
  deadline: number;
}

export type StepName = 'screen' | 'decode' | 'plan' | 'scale' | 'graph' | 'encode';

/** Runs one step; its failure comes out typed, named after the step. */
export async function step<T>(name: StepName, limits: ProcessLimits, work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    throw byKind(name, e, limits);
  }
}

function byKind(name: StepName, e: unknown, limits: ProcessLimits): unknown {
  if (isImgfloError(e)) return e;
  if (e instanceof RangeError) {
    return new ImgfloError(422, 'size-limit', `The ${name} step needs more memory than the limits allow`, { step: name });
  }
  // sharp rejects with a plain Error carrying libvips' message; our own bugs are TypeErrors & co.
  if (e instanceof Error && e.constructor === Error) {
    if (/^timeout\b/i.test(e.message)) return processingTimeout();
    return new ImgfloError(415, 'unsupported-input', `Input is not a supported image: cannot ${name} it`, { step: name });
  }
  return e;
}

export const secondsLeft = (limits: ProcessLimits) => Math.max(1, Math.ceil((limits.deadline - Date.now()) / 1000));

export async function processImage(
  entry: GraphEntry,
  params: Readonly<Record<string, PropValue>>,
  input: Uint8Array | null,
  outtype: ImageType,
  limits: ProcessLimits,
  /** The bytes of each exported image inport other than `input` (`overlay`, ...), by name. */
  images: Readonly<Record<string, Uint8Array>> = {},
): Promise<Encoded> {
  const { compiled } = entry;
  const quality = typeof params.quality === 'number' ? params.quality : compiled.runtime === 'noflo' && outtype === 'jpg' ? NOFLO_JPEG_QUALITY : undefined;
  // The other images' headers are checked now; their pixels are decoded only once the plan is.
  const others = await openImages(compiled, images, limits);
  const otherSizes = new Map([...others].map(([id, o]) => [id, o.size]));
  const otherPixels = (base: Size | null) => pixelsOf(others, limits, base);
  if (input === null) {
    await step('plan', limits, () => checkPlan(compiled, params, null, outtype, limits, otherSizes));
    const extras = await otherPixels(null);
    const made = await step('graph', limits, () => runPlan(compiled, params, null, extras));
    return step('encode', limits, () => encode(toSharp(made).timeout({ seconds: secondsLeft(limits) }), outtype, quality));
  }
  const screened = await step('screen', limits, () => screenSvg(input));
  const scaled = compiled.inports.width === undefined && (typeof params.width === 'number' || typeof params.height === 'number');
  const width = scaled && typeof params.width === 'number' ? params.width : undefined;
  const height = scaled && typeof params.height === 'number' ? params.height : undefined;
  const fused = !scaled ? pipelineOf(compiled, params) : null;
  const animated = fused !== null && ANIMATED_TYPES.includes(outtype);
  const { pipeline, meta } = await step('decode', limits, () => decode(screened, limits, animated));

  const source = uprightSize(meta);
  const size = width || height ? targetSize(source, width, height) : source;
  await step('plan', limits, () => checkPlan(compiled, params, size, outtype, limits, otherSizes));

  if (fused) {
    // One sharp pipeline, which keeps an animation animated when the output type can hold one.
    return step('encode', limits, () => encode(fused(pipeline).timeout({ seconds: secondsLeft(limits) }), outtype, quality));
  }
  const identity = compiled.steps.every((s) => s.component === 'nop');
  // Scaling is done in linear light, as the original did, where its results are pinned (up to
  // a reduction by 4). A larger reduction is libvips' alone (shrink-on-load, lanczos3): the
  // speed of a plain image server, at the price of gamma-space averaging.
  const byLibvips = size !== source && source.width >= size.width * 4 && source.height >= size.height * 4;
  const decoded = byLibvips ? pipeline.resize({ width: size.width, height: size.height, fit: 'fill' }) : pipeline;
  if (identity && (byLibvips || size === source)) {
    return step('encode', limits, () => encode(decoded.timeout({ seconds: secondsLeft(limits) }), outtype, quality));
  }
  let image = await step('scale', limits, () => fromSharp(decoded.timeout({ seconds: secondsLeft(limits) })));
  if (!byLibvips && size !== source) {
    image = await step('scale', limits, () => fromLinear(scaleLinear(toLinear(image), size.width, size.height)));
  }
  if (!identity) {
    const extras = await otherPixels(size);
    image = await step('graph', limits, () => runPlan(compiled, params, image, extras));
  }
  const result = image;
  return step('encode', limits, () => encode(toSharp(result).timeout({ seconds: secondsLeft(limits) }), outtype, quality));
}

/**
 * noop: the bytes unchanged, only when they are an image of the requested type (or any image)
 * whose header is within the limits, as every input's is: nothing is decoded, nothing unchecked
 * is stored.
 */
export async function storeAsIs(input: Uint8Array, outtype: ImageType | null, limits: ProcessLimits): Promise<Encoded> {
  const type = sniffImageType(input);
  if (type === null) throw unsupportedInput('not an image');
  if (outtype !== null && outtype !== type) throw unsupportedInput(`the input is ${type}, not ${outtype}`);
  const { meta } = await step('decode', limits, () => decode(input, limits, false));
  const { width, height } = uprightSize(meta);
  return { body: Buffer.from(input.buffer, input.byteOffset, input.byteLength), contentType: CONTENT_TYPES[type], width, height };
}

/** An image's size as shown: its EXIF orientation applied. */
const uprightSize = (meta: Metadata): Size => {
  const turned = (meta.orientation ?? 1) >= 5;
  return { width: (turned ? meta.height : meta.width) ?? 1, height: (turned ? meta.width : meta.height) ?? 1 };
};

/**
 * The graph's other image inports (`overlay`, ...) under the rules of `input`: screened, their
 * headers checked against the limits, opened upright; keyed by step id. None: nothing to do.
 */
async function openImages(graph: CompiledGraph, images: Readonly<Record<string, Uint8Array>>, limits: ProcessLimits): Promise<Map<string, OpenedImage>> {
  const opened = new Map<string, OpenedImage>();
  for (const name of imageInports(graph)) {
    const bytes = images[name];
    if (!bytes) throw invalidParameter(name, 'an input image is required');
    const screened = await ofInport(name, step('screen', limits, () => screenSvg(bytes)));
    const { pipeline, meta } = await ofInport(name, step('decode', limits, () => decode(screened, limits, false)));
    const id = graphImage(name);
    const rescaled = graph.steps.some((s) => Object.entries(s.inputs).some(([port, src]) => src === id && componentDecl(s.component).rescales?.includes(port)));
    opened.set(id, { name, pipeline, size: uprightSize(meta), vector: rescaled && meta.format === 'svg' ? screened : null });
  }
  return opened;
}

interface OpenedImage {
  /** The inport's name, which its failures carry. */
  name: string;
  pipeline: Sharp;
  size: Size;
  /** An SVG that its component resizes: rasterised again at the size it will be used. */
  vector: Uint8Array | null;
}

/** The highest density librsvg is given (sharp's bound), as a multiple of the default 72 dpi. */
const MAX_DENSITY_FACTOR = 100_000 / 72;

/**
 * The images' pixels. A vector image that its component resizes is rasterised with its longer
 * side as long as the base's (within the pixel limit), so scaling it down stays sharp. A
 * failure (a header that passed, pixels that do not decode) names its inport.
 */
async function pixelsOf(opened: ReadonlyMap<string, OpenedImage>, limits: ProcessLimits, base: Size | null): Promise<Map<string, RawImage>> {
  const pixels = new Map<string, RawImage>();
  for (const [id, { name, pipeline, size, vector }] of opened) {
    const longest = Math.max(size.width, size.height);
    const factor = Math.min(base ? Math.max(base.width, base.height) / longest : 1, Math.sqrt(limits.maxInputPixels / (size.width * size.height)) * 0.99, MAX_DENSITY_FACTOR);
    const source = vector && factor > 1 ? sharp(vector, { density: 72 * factor, limitInputPixels: limits.maxInputPixels, failOn: 'error' }).autoOrient() : pipeline;
    pixels.set(id, await ofInport(name, step('decode', limits, () => fromSharp(source.timeout({ seconds: secondsLeft(limits) })))));
  }
  return pixels;
}

/** The plan as one sharp pipeline, when every step can be one and at most one resizes. */
function pipelineOf(graph: CompiledGraph, params: Readonly<Record<string, PropValue>>): ((s: Sharp) => Sharp) | null {
  const steps = graph.steps.map((step) => ({ step, run: PIPELINE_STEPS[step.component] }));
  if (steps.some((s) => !s.run) || steps.filter((s) => s.step.component !== 'nop').length > 1) return null;
  if (steps.some((s) => Object.keys(s.step.inputs).some((port) => port !== 'input'))) return null;
  return (pipeline) => steps.reduce((p, { step, run }) => run!(p, propsOf(graph, step, params)), pipeline);
}

function propsOf(graph: CompiledGraph, step: PlanStep, params: Readonly<Record<string, PropValue>>): Record<string, PropValue> {
  const props: Record<string, PropValue> = {};
  for (const [name, decl] of Object.entries(componentDecl(step.component).properties)) props[name] = decl.default;
  Object.assign(props, step.fixed);
  for (const [name, inport] of Object.entries(graph.inports)) {
    if (inport.decl.type === 'image') continue;
    if (inport.process === step.id && params[name] !== undefined) props[inport.port] = params[name];
  }
  return props;
}

/** The input's pipeline (upright), and its header, read once and checked against the limits. */
export async function decode(input: Uint8Array, limits: ProcessLimits, animated: boolean): Promise<{ pipeline: Sharp; meta: Metadata }> {
  const options: SharpOptions = { limitInputPixels: limits.maxInputPixels, failOn: 'error' };
  let meta: Metadata;
  try {
    meta = await sharp(input, options).metadata();
  } catch (e) {
    if (/pixel limit/i.test((e as Error).message)) throw inputPixels(limits.maxInputPixels);
    throw unsupportedInput('cannot decode');
  }
  const frames = meta.pages ?? 1;
  const frameHeight = meta.pageHeight ?? meta.height ?? 0;
  if (frames > limits.maxFrames) throw tooManyFrames(limits.maxFrames);
  if ((meta.width ?? 0) * frameHeight * frames > limits.maxInputPixels) throw inputPixels(limits.maxInputPixels);
  return { pipeline: sharp(input, { ...options, animated: animated && frames > 1 }).autoOrient(), meta };
}

/**
 * Every intermediate image and the output, sized from the parameters before any work: each
 * within the pixel limit, the output within what the encoder can write.
 */
/** The most samples one stochastic step may read (about 10 s of c2g on one core). */
export const MAX_SAMPLES_PER_STEP = 1e8;

export function checkPlan(
  graph: CompiledGraph,
  params: Readonly<Record<string, PropValue>>,
  input: Size | null,
  outtype: ImageType,
  limits: Pick<ProcessLimits, 'maxInputPixels'>,
  images: ReadonlyMap<string, Size> = new Map(),
): Size {
  const sizes = new Map<string, Size>([...(input ? [[GRAPH_INPUT, input] as const] : []), ...images]);
  if (graph.runtime === 'noflo') sizes.set(graph.output, canvasSize(graph, params));
  const within = (s: Size) => s.width >= 1 && s.height >= 1 && s.width * s.height <= limits.maxInputPixels;
  if (input && !within(input)) throw outputTooLarge(limits.maxInputPixels);
  for (const planStep of graph.steps) {
    const ins = Object.values(planStep.inputs).map((src) => sizes.get(src)!);
    const decl = componentDecl(planStep.component);
    const props = propsOf(graph, planStep, params);
    const size = decl.outputSize ? decl.outputSize(ins, props) : ins[0]!;
    if (!within(size)) throw outputTooLarge(limits.maxInputPixels);
    const samples = decl.samplesPerPixel ? size.width * size.height * decl.samplesPerPixel(props) : 0;
    if (samples > MAX_SAMPLES_PER_STEP) {
      throw new ImgfloError(422, 'size-limit', `${planStep.component} would read ${samples.toExponential(2)} samples (pixels × samples × iterations), over the limit of ${MAX_SAMPLES_PER_STEP.toExponential(0)}`, { limit: MAX_SAMPLES_PER_STEP });
    }
    sizes.set(planStep.id, size);
  }
  const out = sizes.get(graph.output)!;
  if (out.width > MAX_OUTPUT_SIDE[outtype] || out.height > MAX_OUTPUT_SIDE[outtype]) {
    throw new ImgfloError(422, 'size-limit', `The result (${out.width}x${out.height}) is larger than ${outtype} can hold`, { limit: MAX_OUTPUT_SIDE[outtype] });
  }
  return out;
}

export async function runPlan(
  graph: CompiledGraph,
  params: Readonly<Record<string, PropValue>>,
  input: RawImage | null,
  images: ReadonlyMap<string, RawImage> = new Map(),
): Promise<RawImage> {
  // Loaded on first use (a chunk of its own in the bundle): a process that never runs a NoFlo
  // graph never loads noflo.
  if (graph.runtime === 'noflo') return (await import('./noflo/run.ts')).runNoflo(graph, params);
  const results = new Map<string, RawImage>([...(input ? [[GRAPH_INPUT, input] as const] : []), ...images]);
  for (const planStep of graph.steps) {
    const inputs: Record<string, RawImage> = {};
    for (const [port, src] of Object.entries(planStep.inputs)) inputs[port] = results.get(src)!;
    results.set(planStep.id, await IMPLS[planStep.component](inputs, propsOf(graph, planStep, params)));
  }
  return results.get(graph.output)!;
}
