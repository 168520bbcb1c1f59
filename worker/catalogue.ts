/**
 * Loads the graph catalogue from the graphs folder, with the presets of the `presets` folder
 * beside it when there is one (the edge embeds the same files).
 */
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import { buildCatalogue } from '../shared/graph/sources.ts';
import { parsePresetFile, type PresetSet } from '../shared/presets.ts';

export async function loadCatalogue(dir: string, presetsDir = join(dir, '..', 'presets')): Promise<Catalogue> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') || f.endsWith('.fbp'));
  return buildCatalogue(
    await Promise.all(files.map(async (filename) => ({ filename, text: await readFile(join(dir, filename), 'utf8') }))),
    await loadPresets(presetsDir),
  );
}

/** `presets/<graph>.json` files by graph; none when the folder is not there. */
export async function loadPresets(dir: string): Promise<Record<string, PresetSet>> {
  if (!existsSync(dir)) return {};
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json'));
  return Object.fromEntries(
    await Promise.all(files.map(async (f) => [f.slice(0, -'.json'.length), parsePresetFile(f, await readFile(join(dir, f), 'utf8'))] as const)),
  );
}
