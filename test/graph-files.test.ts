/**
 * The original's graph files load unmodified: every file of graphs/ that came from imgflo is
 * byte for byte the reference copy (test/reference/graphs, and the project's shared reference
 * when it is beside the checkout), the NoFlo ones included.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;
const COPIES = [join(ROOT, 'test/reference/graphs'), join(ROOT, '../shared/reference/imgflo/graphs')].filter((d) => existsSync(d));
const ORIGINAL = readdirSync(join(ROOT, 'test/reference/graphs')).sort();
/** Graphs of this service's own, not the original's. */
const OWN = ['resize.json', 'thumbnail.json', 'watermark.json'];

describe('the original graph files', () => {
  it('are all in graphs/, and nothing else is there but our own', () => {
    expect(readdirSync(join(ROOT, 'graphs')).sort()).toEqual([...ORIGINAL, ...OWN].sort());
    expect(ORIGINAL).toEqual(expect.arrayContaining(['canvas.json', 'delaunay_triangles.json']));
  });

  it.each(ORIGINAL)('%s is byte-identical to the reference copy', (file) => {
    const ours = readFileSync(join(ROOT, 'graphs', file));
    for (const dir of COPIES) expect(Buffer.compare(ours, readFileSync(join(dir, file))), `${dir}/${file}`).toBe(0);
  });
});
