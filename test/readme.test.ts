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

  it('starts with the two commands', () => {
    const readme = readFileSync(`${ROOT}README.md`, 'utf8');
    expect(readme.split('\n').slice(0, 6).join('\n')).toMatch(/npm install && npm start[\s\S]*npm test/);
  });
});
