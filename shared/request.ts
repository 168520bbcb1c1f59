/**
 * Resolves a processing request against its graph: output type, input, typed and clamped
 * parameters with defaults, control flags. Everything a client can get wrong is found here,
 * at the edge, before anything is queued.
 */
import type { PropValue } from './components/types.ts';
import {
  invalidParameter,
  sizeLimit,
  unknownParameter,
  unsupportedType,
} from './errors.ts';
import { isVideoType, negotiateType, normalizeExtension, type OutputType } from './formats.ts';
import type { GraphEntry } from './graph/catalogue.ts';
import type { JobRequest, Urgency } from './job.ts';
import { inputKind, resolveImageRef } from './input-ref.ts';
import { convertParam, MAX_VALUE_LENGTH } from './params.ts';
import { CONTROL_PARAMS, DPR_PARAM, MAX_DIMENSION, MAX_NAME_LENGTH, POSTER_PARAM, QUALITY_PARAM, SCALE_PARAMS, VIDEO_PARAMS } from './reserved.ts';
import { ownsSize, scalesInput } from './runtimes/decisions.ts';
import { runtimeOf } from './runtimes/index.ts';
import { scanNumber } from './scan.ts';

export interface ResolvedRequest {
  graph: string;
  /** null: keep the input's own type (noop without an extension). */
  outtype: OutputType | null;
  input: string | null;
  params: Record<string, PropValue>;
  nocache: boolean;
  exp: number | null;
  debug: boolean;
}

export interface RequestLimits {
  /** IMGFLO_SIZE_LIMIT, in megapixels. */
  sizeLimitMegapixels: number;
  /** The request's Accept header, for the `auto` output type. */
  accept?: string | null;
}

export function resolveOutputType(entry: GraphEntry, ext: string, accept?: string | null): OutputType | null {
  const processing = runtimeOf(entry.compiled).makesImage;
  if (ext === '' && !processing) return null;
  if (ext === 'auto' && processing) return negotiateType(accept);
  const type = ext === '' ? 'jpg' : normalizeExtension(ext);
  if (type === null || !entry.formats.includes(type)) {
    const supported = entry.formats.flatMap((f) => (f === 'jpg' ? ['jpg', 'jpeg'] : [f]));
    if (processing) supported.push('auto');
    throw unsupportedType(ext, supported);
  }
  return type;
}

export function resolveRequest(
  entry: GraphEntry,
  ext: string,
  pairs: ReadonlyArray<readonly [string, string]>,
  limits: RequestLimits,
): ResolvedRequest {
  const outtype = resolveOutputType(entry, ext, limits.accept);
  const given = new Map<string, string>();
  for (const [name, value] of pairs) {
    if (name.length > MAX_NAME_LENGTH) throw invalidParameter(name.slice(0, MAX_NAME_LENGTH), `name longer than ${MAX_NAME_LENGTH} characters`);
    if (given.has(name)) throw invalidParameter(name, 'given more than once');
    given.set(name, value);
  }
  const { compiled } = entry;
  const runtime = runtimeOf(compiled);
  const allowed = new Set<string>([...CONTROL_PARAMS, ...Object.keys(compiled.inports)]);
  if (runtime.makesImage) for (const n of ['quality', 'dpr']) allowed.add(n);
  if (scalesInput(compiled)) for (const n of Object.keys(SCALE_PARAMS)) allowed.add(n);
  if (runtime.makesImage && !compiled.generative) for (const n of ['t', ...Object.keys(VIDEO_PARAMS)]) allowed.add(n);
  // A JSON answer describes the input it names, never a fallback's.
  if (runtime.answers === 'json') allowed.delete('fallback');
  const unknown = [...given.keys()].filter((n) => !allowed.has(n)).sort();
  if (unknown.length > 0) {
    // Every name the URL may carry (the controls a user writes too: `fallback`, `preset`).
    const inports = [...allowed, 'preset'].filter((n) => !CONTROL_PARAMS.includes(n as never) || n === 'input' || n === 'fallback');
    throw unknownParameter(unknown, [...new Set(inports)].sort());
  }

  const params: Record<string, PropValue> = {};
  for (const [name, inport] of Object.entries(compiled.inports)) {
    const raw = given.get(name);
    // An image inport (`overlay`, ...) has no default: like `input`, it is required.
    params[name] = raw === undefined && inport.decl.type !== 'image' ? inport.decl.default : convertParam(name, raw ?? '', inport.decl);
  }
  if (runtime.makesImage) {
    Object.assign(params, resolveSize(compiled, given, params, resolveDpr(given.get('dpr')), limits));
    const q = given.get('quality');
    if (q !== undefined) params.quality = convertParam('quality', q, QUALITY_PARAM);
    const t = given.get('t');
    if (t !== undefined) {
      // A video output has every frame: a poster's time would only make another key.
      if (isVideoType(outtype)) throw invalidParameter('t', 'a video output has every frame; t picks the frame of an image output');
      params.t = convertParam('t', t, POSTER_PARAM);
    }
    // As in the original, the encoder's inports are taken on any output; they act on a video's
    // alone, so an image's key leaves them out.
    for (const [name, decl] of Object.entries(VIDEO_PARAMS)) {
      const raw = given.get(name);
      if (raw === undefined) continue;
      const value = convertParam(name, raw, decl);
      if (isVideoType(outtype)) params[name] = value;
    }
  }

  const input = resolveInput(given.get('input'), compiled.generative);
  // Checked here, used only when the input fails (edge/job.ts); never part of the key.
  resolveFallback(given.get('fallback'), compiled.generative);
  const expRaw = given.get('_exp');
  let exp: number | null = null;
  if (expRaw !== undefined) {
    if (!/^\d{1,12}$/.test(expRaw)) throw invalidParameter('_exp', 'expected unix seconds');
    exp = Number(expRaw);
  }
  return {
    graph: entry.name,
    outtype,
    input,
    params,
    nocache: given.get('_nocache') === 'true',
    exp,
    debug: (given.get('debug') ?? '') !== '',
  };
}

/**
 * The job request for a resolved request: what the worker needs, decided here once — for the
 * edge and for a chained input inside the worker alike.
 */
export function jobRequestOf(
  req: ResolvedRequest,
  digest: string,
  key: string,
  o: { requestId: string; urgency: Urgency; app?: string | null; quota?: number | null; revalidate?: boolean },
): JobRequest {
  return {
    v: 1,
    requestId: o.requestId,
    key,
    graph: req.graph,
    digest,
    outtype: req.outtype,
    input: req.input,
    params: req.params,
    urgency: o.urgency,
    nocache: req.nocache,
    app: o.app ?? null,
    quota: o.quota ?? null,
    revalidate: o.revalidate ?? false,
  };
}

/** `dpr`: a number clamped to 1–4 like any parameter (1 when absent); two decimals matter. */
function resolveDpr(raw: string | undefined): number {
  if (raw === undefined) return 1;
  return Math.round(Number(convertParam('dpr', raw, DPR_PARAM)) * 100) / 100;
}

/**
 * `width` and `height`, parsed here alone, times `dpr`: the size the input is scaled to (a
 * positive integer each), or the graph's own (a canvas's: its declared type, clamped, with its
 * default when absent). Either way within the size limit: the original's rule, width×height <
 * limit·10⁶, a missing side counting as √limit − 1.
 */
function resolveSize(
  graph: GraphEntry['compiled'],
  given: ReadonlyMap<string, string>,
  params: Readonly<Record<string, PropValue>>,
  dpr: number,
  limits: RequestLimits,
): Record<string, number> {
  const own = ownsSize(graph);
  const sides: Record<string, number> = {};
  for (const name of ['width', 'height'] as const) {
    const raw = given.get(name);
    const decl = graph.inports[name]?.decl;
    if (own && decl) sides[name] = Number(raw === undefined || dpr === 1 ? params[name] : convertParam(name, String(Math.round(Number(params[name]) * dpr)), decl));
    else if (!own && raw !== undefined) sides[name] = Math.round(positiveInteger(name, raw) * dpr);
  }
  checkSize(sides.width || undefined, sides.height || undefined, limits);
  return sides;
}

function positiveInteger(name: string, raw: string): number {
  if (raw.length > MAX_VALUE_LENGTH.int) throw invalidParameter(name, `longer than ${MAX_VALUE_LENGTH.int} characters`);
  const n = scanNumber(raw.trim());
  if (n === null || !Number.isInteger(n) || n < 1 || raw.includes('.') || /[eE-]/.test(raw)) throw invalidParameter(name, 'expected a positive integer');
  return n;
}

function checkSize(width: number | undefined, height: number | undefined, limits: RequestLimits) {
  if (width === undefined && height === undefined) return;
  const limit = limits.sizeLimitMegapixels * 1e6;
  const dimLimit = Math.sqrt(limit) - 1;
  const w = width ?? dimLimit;
  const h = height ?? dimLimit;
  if (!(w * h < limit) || w > MAX_DIMENSION || h > MAX_DIMENSION) throw sizeLimit(limits.sizeLimitMegapixels);
}

/** `fallback`: `files/<name>` or an http(s) URL, under the rules of `input`. */
export function resolveFallback(raw: string | undefined | null, generative = false): string | null {
  if (raw === undefined || raw === null || raw === '') return null;
  if (generative) throw invalidParameter('fallback', 'this graph takes no input');
  if (inputKind(raw.replace(/^\//, '')).kind === 'chained') throw invalidParameter('fallback', 'expected files/<name> or an http(s) URL');
  try {
    return resolveImageRef('input', raw);
  } catch (e) {
    throw invalidParameter('fallback', e instanceof Error ? e.message : 'expected files/<name> or an http(s) URL');
  }
}

/** An input as jobs, cache keys and lineage hold it (an http URL normalised by the URL parser). */
export function normalizeInput(raw: string): string {
  return resolveImageRef('input', raw);
}

function resolveInput(raw: string | undefined, generative: boolean): string | null {
  if (generative) {
    if (raw === undefined || raw === '') return null;
    throw invalidParameter('input', 'this graph takes no input');
  }
  return resolveImageRef('input', raw);
}
