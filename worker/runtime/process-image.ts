/**
 * The image pipeline of the runtimes that make an image (imgflo, noflo: worker/runtimes/):
 *
 *   screen → decode → plan → scale → graph → encode
 *
 * screen: SVG (and gzip) inputs must pass the SVG policy; decode: the header is read and the
 * limits (pixels, frames × pixels) are checked before any pixel is; plan: every intermediate
 * size and the output's are derived from the parameters (components declare their output
 * size) and checked against the limits before any allocation; scale: `width`/`height` in
 * linear light, as the original; graph: the compiled plan; encode: the output type.
 * The steps run in the pipeline runner (pipeline.ts), which types their failures; all of it runs
 * inside a processing process (processor.ts), which is killed at the deadline.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { componentDecl } from '../../shared/components/registry.ts';
import type { PropValue, Size } from '../../shared/components/types.ts';
import { ImgfloError, inputPixels, invalidParameter, ofInport, outputTooLarge, tooManyFrames, unsupportedInput } from '../../shared/errors.ts';
import { ANIMATED_TYPES, isVideoType, type ImageType, type OutputType } from '../../shared/formats.ts';
import { GRAPH_INPUT, graphImage, imageInports, type CompiledGraph } from '../../shared/graph/compile.ts';
import { planSizes, propsOf } from '../../shared/graph/sizes.ts';
import { decide, type Decisions } from '../../shared/runtimes/decisions.ts';
import { IMPLS, PIPELINE_STEPS } from './components/index.ts';
import { encode, MAX_OUTPUT_SIDE } from './encode.ts';
import { fromLinear, toLinear } from './linear-light.ts';
import { secondsLeft, step, type PipelineState, type PipelineStep } from './pipeline.ts';
import { fromSharp, toSharp, type RawImage } from './raw-image.ts';
import { scaleLinear, targetSize } from './scale.ts';
import { screenSvg } from './svg-policy.ts';
import type { ProcessingTask, ProcessLimits } from './task.ts';

/** Runs a compiled graph over its images (the input, when it has one, and the others by step id). */
export type GraphRunner = (graph: CompiledGraph, params: Readonly<Record<string, PropValue>>, input: RawImage | null, images: ReadonlyMap<string, RawImage>) => Promise<RawImage>;

export interface ImageState extends PipelineState {
  readonly task: ProcessingTask;
  readonly outtype: ImageType;
  readonly decisions: Decisions;
  /** The whole plan as one sharp pipeline, when it can be (it keeps an animation animated). */
  readonly fused: ((s: Sharp) => Sharp) | null;
  /** The graph's other images (`overlay`, ...), opened, by step id. */
  others?: Map<string, OpenedImage>;
  screened?: Uint8Array;
  decoded?: { pipeline: Sharp; meta: Metadata };
  /** The input's size, and the size it is scaled to. */
  source?: Size;
  size?: Size;
  /** What the encoder writes: a sharp pipeline, else the pixels. */
  ready?: Sharp;
  image?: RawImage;
}

export function imageState(task: ProcessingTask): ImageState {
  if (isVideoType(task.outtype)) throw new Error(`a ${task.outtype} job in the image pipeline`);
  const outtype = task.outtype ?? 'jpg';
  const decisions = decide(task.entry.compiled, task.params, outtype);
  const fused = task.input !== null && decisions.scale === null ? pipelineOf(task.entry.compiled, task.params) : null;
  return { task, limits: task.limits, outtype, decisions, fused };
}

/** A graph that passes its input on as it is (`nop` steps alone): scaled, then encoded. */
const identity = (s: ImageState) => s.task.input !== null && s.task.entry.compiled.steps.every((p) => p.component === 'nop');

/** The still an input stands for: itself, or a video's frame at a time (worker/video/source.ts). */
export type StillOf = (input: Uint8Array, seconds: number, limits: ProcessLimits) => Promise<Uint8Array>;

/** The steps, with the runtime's way of running its graph and of taking a still from an input. */
export function imageSteps(runGraph: GraphRunner, stillOf: StillOf = async (input) => input): ReadonlyArray<PipelineStep<ImageState>> {
  return [
    {
      name: 'screen',
      run: async ({ task, decisions }) => ({
        // The other images' headers are checked now; their pixels are decoded only once the plan is.
        others: await openImages(task.entry.compiled, task.images ?? {}, task.limits),
        ...(task.input && { screened: await screenSvg(await stillOf(task.input, decisions.poster, task.limits)) }),
      }),
    },
    {
      name: 'decode',
      when: (s) => s.screened !== undefined,
      run: async (s) => {
        const decoded = await decode(s.screened!, s.limits, s.fused !== null && ANIMATED_TYPES.includes(s.outtype));
        const source = uprightSize(decoded.meta);
        const { scale } = s.decisions;
        return { decoded, source, size: scale ? targetSize(source, scale.width, scale.height) : source };
      },
    },
    {
      name: 'plan',
      run: (s) => {
        checkPlan(s.task.entry.compiled, s.task.params, s.size ?? null, s.outtype, s.limits, new Map([...s.others!].map(([id, o]) => [id, o.size])));
      },
    },
    {
      name: 'scale',
      when: (s) => s.decoded !== undefined,
      run: async (s) => {
        const { pipeline } = s.decoded!;
        if (s.fused) return { ready: s.fused(pipeline) };
        const [source, size] = [s.source!, s.size!];
        // Scaling is done in linear light, as the original did, where its results are pinned (up
        // to a reduction by 4). A larger reduction is libvips' alone (shrink-on-load, lanczos3):
        // the speed of a plain image server, at the price of gamma-space averaging.
        const byLibvips = size !== source && source.width >= size.width * 4 && source.height >= size.height * 4;
        const decoded = byLibvips ? pipeline.resize({ width: size.width, height: size.height, fit: 'fill' }) : pipeline;
        if (identity(s) && (byLibvips || size === source)) return { ready: decoded };
        const image = await fromSharp(decoded.timeout({ seconds: secondsLeft(s.limits) }));
        return { image: !byLibvips && size !== source ? fromLinear(scaleLinear(toLinear(image), size.width, size.height)) : image };
      },
    },
    {
      name: 'graph',
      when: (s) => s.ready === undefined && !identity(s),
      run: async (s) => {
        const others = await pixelsOf(s.others!, s.limits, s.size ?? null);
        return { image: await runGraph(s.task.entry.compiled, s.task.params, s.image ?? null, others) };
      },
    },
    {
      name: 'encode',
      run: async (s) => ({ out: await encode((s.ready ?? toSharp(s.image!)).timeout({ seconds: secondsLeft(s.limits) }), s.outtype, s.decisions.quality) }),
    },
  ];
}

/** An image's size as shown: its EXIF orientation applied. */
export const uprightSize = (meta: Metadata): Size => {
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
    const screened = await ofInport(name, step('screen', () => screenSvg(bytes)));
    const { pipeline, meta } = await ofInport(name, step('decode', () => decode(screened, limits, false)));
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
    pixels.set(id, await ofInport(name, step('decode', () => fromSharp(source.timeout({ seconds: secondsLeft(limits) })))));
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
  outtype: OutputType,
  limits: Pick<ProcessLimits, 'maxInputPixels'>,
  images: ReadonlyMap<string, Size> = new Map(),
): Size {
  const within = (s: Size) => s.width >= 1 && s.height >= 1 && s.width * s.height <= limits.maxInputPixels;
  if (input && !within(input)) throw outputTooLarge(limits.maxInputPixels);
  const sizes = planSizes(graph, params, new Map<string, Size>([...(input ? [[GRAPH_INPUT, input] as const] : []), ...images]));
  let r = sizes.next();
  for (; !r.done; r = sizes.next()) {
    const { step: planStep, decl, size, props } = r.value;
    if (!within(size)) throw outputTooLarge(limits.maxInputPixels);
    const samples = decl.samplesPerPixel ? size.width * size.height * decl.samplesPerPixel(props) : 0;
    if (samples > MAX_SAMPLES_PER_STEP) {
      throw new ImgfloError(422, 'size-limit', `${planStep.component} would read ${samples.toExponential(2)} samples (pixels × samples × iterations), over the limit of ${MAX_SAMPLES_PER_STEP.toExponential(0)}`, { limit: MAX_SAMPLES_PER_STEP });
    }
  }
  const out = r.value;
  if (out.width > MAX_OUTPUT_SIDE[outtype] || out.height > MAX_OUTPUT_SIDE[outtype]) {
    throw new ImgfloError(422, 'size-limit', `The result (${out.width}x${out.height}) is larger than ${outtype} can hold`, { limit: MAX_OUTPUT_SIDE[outtype] });
  }
  return out;
}

/** An imgflo graph's plan, step by step, each component on the images it is fed. */
export const runPlan: GraphRunner = async (graph, params, input, images) => {
  const results = new Map<string, RawImage>([...(input ? [[GRAPH_INPUT, input] as const] : []), ...images]);
  for (const planStep of graph.steps) {
    const inputs: Record<string, RawImage> = {};
    for (const [port, src] of Object.entries(planStep.inputs)) inputs[port] = results.get(src)!;
    results.set(planStep.id, await IMPLS[planStep.component](inputs, propsOf(graph, planStep, params)));
  }
  return results.get(graph.output)!;
};

/**
 * The image pipeline for the frames of a video, all of one size: the plan checked once, the
 * graph's other images opened and decoded once, then each frame — which comes scaled to
 * `input`, as a still's input is scaled (`width`/`height`) — run through the graph. A graph of
 * `nop`s alone `passes` its frames on as they are.
 */
export async function frameProcessor(
  task: ProcessingTask,
  frame: Size,
  runGraph: GraphRunner,
): Promise<{ input: Size; size: Size; decisions: Decisions; passes: boolean; process: (frame: RawImage) => Promise<RawImage> }> {
  const { compiled } = task.entry;
  const decisions = decide(compiled, task.params, 'mp4');
  const { scale } = decisions;
  const input = scale ? targetSize(frame, scale.width, scale.height) : frame;
  const opened = await openImages(compiled, task.images ?? {}, task.limits);
  const size = await step('plan', () => checkPlan(compiled, task.params, input, 'mp4', task.limits, new Map([...opened].map(([id, o]) => [id, o.size]))));
  const others = await pixelsOf(opened, task.limits, input);
  const passes = compiled.steps.every((p) => p.component === 'nop');
  return { input, size, decisions, passes, process: passes ? async (image) => image : (image) => runGraph(compiled, task.params, image, others) };
}
