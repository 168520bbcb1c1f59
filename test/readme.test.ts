import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { catalogueMarkdown } from '../scripts/catalogue-md.ts';
import { loadCatalogue } from '../worker/catalogue.ts';

const ROOT = new URL('../', import.meta.url).pathname;

describe('README', () => {
  it('shows the graph catalogue as /graphs describes it', async () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const section = /<!-- catalogue:start -->\n([\s\S]*?)\n<!-- catalogue:end -->/.exec(readme)?.[1];
    expect(section).toBe(catalogueMarkdown(await loadCatalogue(`${ROOT}graphs`)).trimEnd());
  });

  it('quotes bench/results.json in its performance section: date, machine, ratios', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    const section = readme.slice(readme.indexOf('## Performance'), readme.indexOf('## Architecture'));
    const r = JSON.parse(readFileSync(`${ROOT}bench/results.json`, 'utf8'));
    const s = r.scenarios;
    expect(section).toContain(`Measured ${r.date.slice(0, 10)} on this machine (${r.machine.cpus} cores, ${r.machine.model}`);
    for (const ext of ['jpg', 'webp']) {
      const m = s[`miss-${ext}`];
      expect(section).toContain(`${m.vsRawSharp.toFixed(2)}× sharp, ${m.vsIpx.toFixed(2)}× ipx`);
      expect(section).toContain(`${m.imgflo.throughput.toFixed(1)} req/s, p50 ${m.imgflo.p50} ms`);
    }
    expect(section).toContain(`${s.hit.vsBare.toFixed(2)}× bare, ${s.hit.vsBareWithAssets.toFixed(2)}× bare with assets`);
    expect(section).toContain(`${s.coalescing.processingRuns} processing run`);
    expect(section).toContain(`| ${s.memory.workerPeakRssMB} MB |`);
  });

  it('starts with the two commands', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    expect(readme.split('\n').slice(0, 6).join('\n')).toMatch(/npm install && npm start[\s\S]*npm test/);
  });
});
