/**
 * The graph catalogue: every graph file compiled once, with its digest (part of the cache key,
 * so a changed graph never serves old results) and its public, typed description.
 */
import type { PropValue } from '../components/types.ts';
import type { OutputType } from '../formats.ts';
import { canonicalJson, sha256Hex } from '../hash.ts';
import { DPR_PARAM, POSTER_PARAM, QUALITY_PARAM, SCALE_PARAMS, VIDEO_PARAMS } from '../reserved.ts';
import { scalesInput } from '../runtimes/decisions.ts';
import { compileGraph, runtimeOf } from '../runtimes/index.ts';
import type { CompiledGraph } from './compiled.ts';
import { ORIGINAL_DESCRIPTIONS } from './descriptions.ts';
import { GraphError, type GraphDefinition } from './model.ts';
import type { PresetSet, PresetTable } from '../presets.ts';
import { resultFollowsWidth } from './sizes.ts';

/** A graph file read into its definition (shared/graph/sources.ts, or at build time). */
export interface NamedDefinition {
  name: string;
  definition: GraphDefinition;
}

export interface GraphEntry {
  name: string;
  description: string;
  compiled: CompiledGraph;
  digest: string;
  formats: readonly OutputType[];
  /** The service's presets of this graph (presets/<graph>.json). */
  presets: PresetSet;
}

export type Catalogue = ReadonlyMap<string, GraphEntry>;

export async function catalogueOf(graphs: readonly NamedDefinition[], presets: PresetTable = {}): Promise<Catalogue> {
  const entries = new Map<string, GraphEntry>();
  const strays = Object.keys(presets).filter((g) => !graphs.some((d) => d.name === g));
  if (strays.length > 0) throw new GraphError(`presets for graphs that do not exist: ${strays.join(', ')}`);
  for (const { name, definition } of [...graphs].sort((a, b) => a.name.localeCompare(b.name))) {
    if (entries.has(name)) throw new GraphError(`graph ${name} is defined twice`);
    const compiled = compileGraph(name, definition);
    if (presets[name] && Object.hasOwn(compiled.inports, 'preset')) throw new GraphError(`graph ${name} has its own preset parameter, so it cannot have presets`);
    entries.set(name, {
      name,
      description: definition.properties?.description ?? defaultDescription(name, compiled),
      compiled,
      digest: (await sha256Hex(canonicalJson(compiled))).slice(0, 16),
      formats: runtimeOf(compiled).formats,
      presets: presets[name] ?? {},
    });
  }
  return entries;
}

const defaultDescription = (name: string, compiled: CompiledGraph): string => ORIGINAL_DESCRIPTIONS[name] ?? runtimeOf(compiled).describe(name);

export interface PublicInport {
  type: string;
  description: string;
  default: PropValue | null;
  minimum?: number;
  maximum?: number;
  values?: readonly string[];
}

export interface PublicGraph {
  description: string;
  inports: Record<string, PublicInport>;
  outports: Record<string, { type: string; description: string }>;
  formats: readonly string[];
  presets: PresetSet;
  /** Whether the result is `width` wide (so that an `<img srcset>`'s `w` descriptors hold). */
  resultWidth: boolean;
}

/** What /graphs shows of a graph: typed inports, no internal wiring. */
export function describeGraph(entry: GraphEntry): PublicGraph {
  const inports: Record<string, PublicInport> = {};
  const { compiled } = entry;
  const runtime = runtimeOf(compiled);
  if (!compiled.generative) inports.input = { type: 'uri', description: runtime.inputDescription, default: null };
  if (scalesInput(compiled)) for (const [name, decl] of Object.entries(SCALE_PARAMS)) inports[name] = { ...decl, default: null };
  if (runtime.makesImage) {
    inports.quality = { ...QUALITY_PARAM, default: null };
    inports.dpr = { ...DPR_PARAM };
    if (!compiled.generative) {
      inports.t = { ...POSTER_PARAM };
      for (const [name, decl] of Object.entries(VIDEO_PARAMS)) inports[name] = { ...decl, default: null };
    }
  }
  for (const [name, { decl }] of Object.entries(compiled.inports)) {
    inports[name] = {
      type: decl.type,
      description: decl.description,
      default: decl.type === 'image' ? null : decl.default,
      ...(decl.minimum !== undefined && { minimum: decl.minimum }),
      ...(decl.maximum !== undefined && { maximum: decl.maximum }),
      ...(decl.values && { values: decl.values }),
    };
  }
  return {
    description: entry.description,
    inports,
    outports: { output: { type: 'image', description: 'The processed image' } },
    formats: entry.formats,
    presets: entry.presets,
    resultWidth: resultFollowsWidth(compiled),
  };
}
