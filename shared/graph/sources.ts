/** Graph files (FBP JSON or .fbp text) into a catalogue: what the worker does at start. */
import { catalogueOf, type Catalogue, type NamedDefinition } from './catalogue.ts';
import { graphNameOf, parseGraphSource } from './parse.ts';
import type { PresetTable } from '../presets.ts';

export interface GraphSource {
  filename: string;
  text: string;
}

export function parseGraphSources(sources: readonly GraphSource[]): NamedDefinition[] {
  return sources.map(({ filename, text }) => ({ name: graphNameOf(filename), definition: parseGraphSource(filename, text) }));
}

export function buildCatalogue(sources: readonly GraphSource[], presets: PresetTable = {}): Promise<Catalogue> {
  return catalogueOf(parseGraphSources(sources), presets);
}
