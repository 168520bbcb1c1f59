/**
 * Times each graph of the original catalogue on its regression input, in process (sharp and
 * the components, no HTTP): the table in the README's catalogue section comes from here.
 *   node --import tsx scripts/time-graphs.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { resolveRequest } from '../shared/request.ts';
import { runtimeOf } from '../shared/runtimes/index.ts';
import { parseQuery } from '../shared/url.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { runTask } from '../worker/runtimes/index.ts';
import { ROOT } from './stack.ts';

const catalogue = await loadCatalogue(join(ROOT, 'graphs'));
const { cases } = JSON.parse(readFileSync(join(ROOT, 'test', 'reference', 'cases.json'), 'utf8')) as { cases: Array<{ name: string; request: string }> };
console.log('| case | graph | output | ms (best of 3) |\n| --- | --- | --- | --- |');
for (const c of cases) {
  const m = /^\/graph\/([^.?]+)(?:\.([a-z]+))?(\?.*)$/.exec(c.request)!;
  const entry = catalogue.get(m[1]!)!;
  if (!runtimeOf(entry.compiled).makesImage) continue;
  const req = resolveRequest(entry, m[2] ?? '', parseQuery(m[3]!), { sizeLimitMegapixels: 25 });
  const input = req.input ? readFileSync(join(ROOT, 'examples', req.input.slice('files/'.length))) : null;
  let best = Infinity;
  let size = '';
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const out = await runTask({ entry, params: req.params, input, outtype: req.outtype!, limits: { maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + 120_000 } });
    best = Math.min(best, performance.now() - t);
    size = `${out.width}×${out.height} ${req.outtype}`;
  }
  console.log(`| ${c.name} | ${entry.name} | ${size} | ${Math.round(best)} |`);
}
