/** Loads the graph catalogue from the graphs folder (the edge embeds the same files). */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Catalogue } from '../shared/graph/catalogue.ts';
import { buildCatalogue } from '../shared/graph/sources.ts';

export async function loadCatalogue(dir: string): Promise<Catalogue> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.json') || f.endsWith('.fbp'));
  return buildCatalogue(
    await Promise.all(files.map(async (filename) => ({ filename, text: await readFile(join(dir, filename), 'utf8') }))),
  );
}
