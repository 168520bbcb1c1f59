/** The README and docs/ stay true: the catalogue and the benchmark figures they quote, their links. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogueMarkdown } from '../scripts/catalogue-md.ts';
import { EDGE_SETTINGS } from '../edge/config.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { BACKEND_SETTINGS } from '../worker/config.ts';

const ROOT = new URL('../', import.meta.url).pathname;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const DOCS = ['README.md', 'bench/README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];

/** GitHub's anchor of a heading. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

describe('the README', () => {
  it('starts with the two commands, and stays short', () => {
    const readme = read('README.md');
    expect(readme.split('\n').slice(0, 6).join('\n')).toMatch(/npm install && npm start[\s\S]*npm test/);
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });
});

describe('the documentation', () => {
  it('documents every setting the edge and the backend read', () => {
    // A row's first cell names one setting or several.
    const firstCells = [...read('docs/configuration.md').matchAll(/^\|([^|]+)\|/gm)].map((m) => m[1]!);
    const documented = new Set(firstCells.flatMap((cell) => [...cell.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]!)));
    expect([...new Set([...EDGE_SETTINGS, ...BACKEND_SETTINGS])].filter((name) => !documented.has(name))).toEqual([]);
  });

  it.each(DOCS)('%s links only to files and headings that exist', (doc) => {
    const text = read(doc).replace(/```[\s\S]*?```/g, '');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((l) => !/^[a-z]+:/.test(l));
    for (const link of links) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path ? join(dirname(join(ROOT, doc)), path) : join(ROOT, doc);
      expect(existsSync(target), `${doc}: ${link}`).toBe(true);
      if (anchor) {
        const headings = [...readFileSync(target, 'utf8').replace(/```[\s\S]*?```/g, '').matchAll(/^#+ (.+)$/gm)].map((m) => slug(m[1]!));
        expect(headings, `${doc}: ${link}`).toContain(anchor);
      }
    }
  });

  it('shows the graph catalogue as /graphs describes it', async () => {
    const section = /<!-- catalogue:start -->\n([\s\S]*?)\n<!-- catalogue:end -->/.exec(read('docs/graphs.md'))?.[1];
    expect(section).toBe(catalogueMarkdown(await loadCatalogue(`${ROOT}graphs`)).trimEnd());
  });

  it('quotes bench/results.json in bench/README.md: date, machine, ratios', () => {
    const section = read('bench/README.md');
    const r = JSON.parse(read('bench/results.json'));
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
    for (const name of ['customgrey', 'scaled480']) {
      const v = s.video[name];
      expect(section).toContain(`| ${v.oursCpuMs} ms | ffmpeg alone`);
      expect(section).toContain(`: ${v.ffmpegCpuMs} ms | ${v.ratio.toFixed(2)}× |`);
    }
  });
});
