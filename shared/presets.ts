/**
 * Presets: named parameter sets of a graph, used as `preset=<name>`. The service's own are the
 * files `presets/<graph>.json` (`{"<name>": {"description": "...", "params": {...}}}`); an app
 * may have its own in the registry, which win over the files' of the same name. A preset expands
 * into the request's parameters before anything else reads them, explicit parameters overriding
 * its values — so its content, not its name, is what the cache key holds, and a changed preset
 * never serves an old result.
 */
import * as v from 'valibot';
import { invalidParameter } from './errors.ts';
import { MAX_NAME_LENGTH } from './reserved.ts';

/** A preset's name: letters, digits, _ and -, at most 64. */
export const PRESET_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
/** What a preset may not set: the input and the per-URL controls. */
const NOT_IN_PRESETS = new Set(['input', 'preset', '_nocache', '_exp', 'debug']);

export const PresetSchema = v.object({
  description: v.optional(v.pipe(v.string(), v.maxLength(200)), ''),
  params: v.pipe(
    v.record(
      v.pipe(v.string(), v.maxLength(MAX_NAME_LENGTH), v.check((n) => !NOT_IN_PRESETS.has(n), 'a preset may not set input, preset, _nocache, _exp or debug')),
      v.union([v.pipe(v.string(), v.maxLength(4096)), v.number(), v.boolean()]),
    ),
    v.check((p) => Object.keys(p).length <= 64, 'at most 64 parameters'),
  ),
});
export type Preset = v.InferOutput<typeof PresetSchema>;

/** A graph's presets by name. */
export const PresetSetSchema = v.pipe(
  v.record(v.pipe(v.string(), v.regex(PRESET_NAME, 'a preset name is letters, digits, _ and -, at most 64')), PresetSchema),
  v.check((s) => Object.keys(s).length <= 100, 'at most 100 presets a graph'),
);
export type PresetSet = v.InferOutput<typeof PresetSetSchema>;

/** Presets by graph, then by name: a file set, or an app's. */
export type PresetTable = Readonly<Record<string, PresetSet>>;
export const PresetTableSchema = v.record(v.string(), PresetSetSchema);

/** Reads one `presets/<graph>.json`; an invalid file is an error naming it. */
export function parsePresetFile(filename: string, text: string): PresetSet {
  const r = v.safeParse(PresetSetSchema, JSON.parse(text));
  if (!r.success) throw new Error(`${filename}: ${r.issues.map((i) => `${v.getDotPath(i) ?? ''} ${i.message}`.trim()).join('; ')}`);
  return r.output;
}

/**
 * A graph request's parameters with its preset expanded (the app's presets first, then the
 * graph's own). A graph with an inport named `preset` (the original's `retro`) keeps its
 * parameter: its URLs predate presets, and they keep working.
 */
export function withPreset(
  entry: { presets: PresetSet; compiled: { inports: Readonly<Record<string, unknown>> } },
  pairs: ReadonlyArray<readonly [string, string]>,
  appSet?: PresetSet,
): ReadonlyArray<readonly [string, string]> {
  if (Object.hasOwn(entry.compiled.inports, 'preset')) return pairs;
  return expandPreset(pairs, [appSet, entry.presets]);
}

/**
 * The request's parameters with its `preset=` expanded: the preset's values first, then the
 * parameters given, which override them. Without `preset` the pairs come back as they are.
 * The sets are searched in order (an app's, then the service's).
 */
export function expandPreset(
  pairs: ReadonlyArray<readonly [string, string]>,
  sets: ReadonlyArray<PresetSet | undefined>,
): ReadonlyArray<readonly [string, string]> {
  const named = pairs.filter(([n]) => n === 'preset');
  if (named.length === 0) return pairs;
  if (named.length > 1) throw invalidParameter('preset', 'given more than once');
  const name = named[0]![1];
  const preset = sets.find((s) => s && Object.hasOwn(s, name))?.[name];
  if (!preset) {
    const known = [...new Set(sets.flatMap((s) => Object.keys(s ?? {})))].sort();
    throw invalidParameter('preset', known.length ? `unknown preset; this graph has ${known.join(', ')}` : 'this graph has no presets');
  }
  const given = pairs.filter(([n]) => n !== 'preset');
  const explicit = new Set(given.map(([n]) => n));
  const fromPreset = Object.entries(preset.params)
    .filter(([n]) => !explicit.has(n))
    .map(([n, value]) => [n, String(value)] as const);
  return [...fromPreset, ...given];
}
