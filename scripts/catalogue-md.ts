/**
 * The graph catalogue of docs/graphs.md, written from the same metadata /graphs serves.
 *   node --import tsx scripts/catalogue-md.ts   (prints it; test/docs.test.ts checks docs/graphs.md has it)
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeGraph, type Catalogue } from '../shared/graph/catalogue.ts';
import { runtimeOf } from '../shared/runtimes/index.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { ROOT } from './stack.ts';

const RESERVED = new Set(['input', 'width', 'height', 'quality', 'dpr', 't', 'video_bitrate', 'video_framerate']);

export function catalogueMarkdown(catalogue: Catalogue): string {
  const lines: string[] = [];
  for (const [name, entry] of catalogue) {
    const g = describeGraph(entry);
    lines.push(`### \`${name}\``, '', g.description, '');
    const own = Object.entries(g.inports).filter(([port]) => !RESERVED.has(port) || entry.compiled.inports[port]);
    if (own.length === 0) lines.push('No parameters of its own.', '');
    else {
      lines.push('| parameter | type | default | range or values | meaning |', '| --- | --- | --- | --- | --- |');
      for (const [port, p] of own) {
        const range = p.values ? p.values.join(', ') : p.minimum !== undefined ? `${p.minimum} – ${p.maximum}` : '';
        lines.push(`| \`${port}\` | ${p.type} | ${p.default === null ? '' : `\`${String(p.default)}\``} | ${range} | ${p.description} |`);
      }
      lines.push('');
    }
    lines.push(`Output: ${g.formats.join(', ')}${runtimeOf(entry.compiled).makesImage ? ', auto' : ' (the input\'s own type without an extension)'}.`, '');
    const presets = Object.entries(g.presets);
    if (presets.length > 0) {
      lines.push('| preset | parameters | meaning |', '| --- | --- | --- |');
      for (const [preset, p] of presets) lines.push(`| \`${preset}\` | \`${Object.entries(p.params).map(([k, v]) => `${k}=${String(v)}`).join('&')}\` | ${p.description} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(catalogueMarkdown(await loadCatalogue(join(ROOT, 'graphs'))));
}
