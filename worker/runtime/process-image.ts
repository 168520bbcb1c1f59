/**
 * Runs one graph on one input: decode (orientation applied, limits checked from the header),
 * the optional scaling of `width`/`height` (in linear light, as the original), the compiled
 * plan step by step with a deadline check in between, and the encoder. A graph of identity
 * steps without scaling is one sharp pipeline.
 */
import sharp, { type Metadata, type Sharp, type SharpOptions } from 'sharp';
import { componentDecl } from '../../shared/components/registry.ts';
import type { PropValue } from '../../shared/components/types.ts';
import { inputPixels, outputTooLarge, processingTimeout, tooManyFrames, unsupportedInput } from '../../shared/errors.ts';
import { ANIMATED_TYPES, type ImageType } from '../../shared/formats.ts';
import type { GraphEntry } from '../../shared/graph/catalogue.ts';
import { GRAPH_INPUT, type CompiledGraph, type PlanStep } from '../../shared/graph/compile.ts';
import { IMPLS, PIPELINE_STEPS } from './components/index.ts';
import { encode, type Encoded } from './encode.ts';
import { fromLinear, toLinear } from './linear-light.ts';
import { fromSharp, toSharp, type RawImage } from './raw-image.ts';
import { scaleLinear, targetSize } from './scale.ts';

export interface ProcessLimits {
  maxInputPixels: number;
  maxFrames: number;
  /** Epoch ms after which processing gives up. */
  deadline: number;
}

export async function processImage(
  entry: GraphEntry,
  params: Readonly<Record<string, PropValue>>,
  input: Uint8Array | null,
  outtype: ImageType,
  limits: ProcessLimits,
): Promise<Encoded> {
  const quality = typeof params.quality === 'number' ? params.quality : undefined;
  if (input === null) {
    const made = await guard(runPlan(entry.compiled, params, null, limits.deadline));
    return guard(encode(toSharp(made), outtype, quality));
  }
  const seconds = Math.max(1, Math.ceil((limits.deadline - Date.now()) / 1000));
  const scaled = entry.compiled.inports.width === undefined && (typeof params.width === 'number' || typeof params.height === 'number');
  const width = scaled && typeof params.width === 'number' ? params.width : undefined;
  const height = scaled && typeof params.height === 'number' ? params.height : undefined;
  const fused = !scaled ? pipelineOf(entry.compiled, params) : null;
  if (fused) {
    // One sharp pipeline, which keeps an animation animated when the output type can hold one.
    const { pipeline } = await decode(input, limits, ANIMATED_TYPES.includes(outtype));
    return guard(encode(fused(pipeline).timeout({ seconds }), outtype, quality));
  }
  let { pipeline: decoded, meta } = await decode(input, limits, false);
  const identity = entry.compiled.steps.every((s) => s.component === 'nop');
  let size: { width: number; height: number } | null = null;
  if (width || height) {
    const turned = (meta.orientation ?? 1) >= 5;
    const source = { width: (turned ? meta.height : meta.width) ?? 1, height: (turned ? meta.width : meta.height) ?? 1 };
    size = targetSize(source, width, height);
    // Scaling is done in linear light, as the original did, where its results are pinned (up to
    // a reduction by 4). A larger reduction is libvips' alone (shrink-on-load, lanczos3): the
    // speed of a plain image server, at the price of gamma-space averaging.
    if (source.width >= size.width * 4 && source.height >= size.height * 4) {
      decoded = decoded.resize({ width: size.width, height: size.height, fit: 'fill' });
      size = null;
      if (identity) return guard(encode(decoded.timeout({ seconds }), outtype, quality));
    }
  }

  let image = await guard(fromSharp(decoded.timeout({ seconds })));
  if (size) image = fromLinear(scaleLinear(toLinear(image), size.width, size.height));
  if (!identity) image = await guard(runPlan(entry.compiled, params, image, limits.deadline));
  if (image.width * image.height > limits.maxInputPixels) throw outputTooLarge(limits.maxInputPixels);
  return guard(encode(toSharp(image).timeout({ seconds }), outtype, quality));
}

/** sharp's own errors: a timeout is the processing deadline; a failed decode is bad input. */
async function guard<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    const message = (e as Error).message ?? '';
    if (/timeout/i.test(message)) throw processingTimeout();
    if (/corrupt|premature|truncat|invalid|unsupported|bad |not a known/i.test(message)) throw unsupportedInput('cannot decode');
    throw e;
  }
}

/** SVG may not reach outside itself: no external references, no entities. */
function checkSvg(input: Uint8Array): void {
  const head = Buffer.from(input.subarray(0, 4096)).toString('utf8').trimStart();
  if (!/^(<\?xml|<svg|<!--)/i.test(head) || !/<svg[\s>]/i.test(Buffer.from(input).toString('utf8'))) return;
  const text = Buffer.from(input).toString('utf8');
  if (/<!ENTITY/i.test(text) || /<!DOCTYPE[^>]*\[/i.test(text)) throw unsupportedInput('SVG with entities');
  const refs = [...text.matchAll(/(?:xlink:)?href\s*=\s*["']\s*([^"']*)/gi)].map((m) => m[1]!.trim());
  const urls = [...text.matchAll(/url\(\s*["']?\s*([^)"']*)/gi)].map((m) => m[1]!.trim());
  if ([...refs, ...urls].some((r) => r !== '' && !r.startsWith('#') && !/^data:image\//i.test(r))) {
    throw unsupportedInput('SVG with external references');
  }
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
    if (inport.process === step.id && params[name] !== undefined) props[inport.port] = params[name];
  }
  return props;
}

/** The input's pipeline (upright), and its header, read once and checked against the limits. */
async function decode(input: Uint8Array, limits: ProcessLimits, animated: boolean): Promise<{ pipeline: Sharp; meta: Metadata }> {
  checkSvg(input);
  const options: SharpOptions = { limitInputPixels: limits.maxInputPixels, failOn: 'error' };
  let meta: Metadata;
  try {
    meta = await sharp(input, options).metadata();
  } catch (e) {
    if (/pixel limit/i.test((e as Error).message)) throw inputPixels(limits.maxInputPixels);
    throw unsupportedInput('cannot decode');
  }
  if ((meta.width ?? 0) * (meta.height ?? 0) > limits.maxInputPixels) throw inputPixels(limits.maxInputPixels);
  if ((meta.pages ?? 1) > limits.maxFrames) throw tooManyFrames(limits.maxFrames);
  return { pipeline: sharp(input, { ...options, animated: animated && (meta.pages ?? 1) > 1 }).autoOrient(), meta };
}

export async function runPlan(
  graph: CompiledGraph,
  params: Readonly<Record<string, PropValue>>,
  input: RawImage | null,
  deadline: number,
): Promise<RawImage> {
  const results = new Map<string, RawImage>(input ? [[GRAPH_INPUT, input]] : []);
  for (const step of graph.steps) {
    if (Date.now() > deadline) throw processingTimeout();
    const inputs: Record<string, RawImage> = {};
    for (const [port, src] of Object.entries(step.inputs)) inputs[port] = results.get(src)!;
    results.set(step.id, await IMPLS[step.component](inputs, propsOf(graph, step, params)));
  }
  return results.get(graph.output)!;
}
