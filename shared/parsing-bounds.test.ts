/**
 * Parameters are parsed in linear time, and a value over its length cap is refused before it
 * is parsed: the worst inputs of each class answer in well under 10 ms.
 */
import { describe, expect, it } from 'vitest';
import { canonicalColor, parseColor } from './color.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { convertParam, MAX_VALUE_LENGTH } from './params.ts';
import { resolveRequest } from './request.ts';
import { scanNumber } from './scan.ts';

/** The best of three runs, in ms: how long the work takes when nothing else intervenes. */
function fastest(work: () => unknown): number {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    try {
      work();
    } catch {
      // refused: that is the expected outcome for most of these
    }
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

const N = 10_000;
const worst: Array<[string, string]> = [
  ['digits then a letter', '1'.repeat(N) + 'x'],
  ['digits, a dot, digits, then a letter', '1'.repeat(N / 2) + '.' + '1'.repeat(N / 2) + 'x'],
  ['an exponent without digits', '1'.repeat(N) + 'e'],
  ['signs', '+-'.repeat(N / 2)],
  ['colour with repeated plus signs', `rgb(1%${'+'.repeat(N / 3)}1%${'+'.repeat(N / 3)}1%${'+'.repeat(N / 3)}x`],
  ['colour with spaces', `rgb(${' '.repeat(N)}1`],
  ['colour percentages between runs of spaces', `rgb(1%${' '.repeat(N / 3)}1%${' '.repeat(N / 3)}1%${' '.repeat(N / 3)}x`],
  ['colour with commas', `rgba(${'1,'.repeat(N / 2)}`],
  ['hex', '#' + 'f'.repeat(N)],
  ['a long name', 'a'.repeat(N)],
  ['percent signs', '%'.repeat(N)],
];

describe('parsing the worst values', () => {
  it.each(worst)('scans %s as a number in linear time', (_what, text) => {
    expect(fastest(() => scanNumber(text))).toBeLessThan(10);
    expect(scanNumber(text)).toBeNull();
  });

  it.each(worst)('parses %s as a colour in linear time', (_what, text) => {
    expect(fastest(() => parseColor(text))).toBeLessThan(10);
    expect(parseColor(text)).toBeNull();
  });

  it.each(['number', 'int', 'color', 'enum', 'boolean', 'string'] as const)('refuses a %s longer than its cap before parsing it', (type) => {
    const decl = { type, description: '', default: type === 'boolean' ? false : 0, values: ['a'] } as const;
    for (const [what, text] of worst) {
      const value = text.padEnd(MAX_VALUE_LENGTH[type] + 1, '1');
      expect(fastest(() => convertParam('p', value, decl)), what).toBeLessThan(10);
      expect(() => convertParam('p', value, decl)).toThrow(expect.objectContaining({ status: 422, reason: 'invalid-parameter' }));
    }
  });

  it('resolves every inport of every graph, and the reserved parameters, given the worst values, in linear time', async () => {
    const catalogue = await loadCatalogue(new URL('../graphs', import.meta.url).pathname);
    for (const entry of catalogue.values()) {
      const names = ['input', 'width', 'height', 'quality', '_exp', ...Object.keys(entry.compiled.inports)];
      for (const name of names) {
        for (const [what, text] of worst) {
          const pairs: Array<[string, string]> = name === 'input' ? [['input', text]] : [['input', 'files/gridbear.jpg'], [name, text]];
          expect(fastest(() => resolveRequest(entry, 'png', pairs, { sizeLimitMegapixels: 25 })), `${entry.name} ${name} ${what}`).toBeLessThan(10);
          expect(() => resolveRequest(entry, 'png', pairs, { sizeLimitMegapixels: 25 }), `${entry.name} ${name} ${what}`).toThrow(expect.objectContaining({ status: expect.any(Number) }));
        }
      }
    }
  });
});

describe('the colour parser', () => {
  it.each([
    ['#f80', '#ff8800ff'],
    ['#f808', '#ff880088'],
    ['#0a0b0c', '#0a0b0cff'],
    ['#0a0b0c80', '#0a0b0c80'],
    ['rgb(10, 20, 30)', '#0a141eff'],
    ['rgba(10,20,30,0.5)', '#0a141e80'],
    ['rgb(10 20 30 / 50%)', '#0a141e80'],
    ['rgb(100%, 0%, 50%)', '#ff0080ff'],
    ['rgb(300, -5, 1e2)', '#ff0064ff'],
    ['RebeccaPurple', '#663399ff'],
    [' white ', '#ffffffff'],
    ['transparent', '#00000000'],
  ])('reads %s as %s', (text, canonical) => {
    expect(canonicalColor(parseColor(text)!)).toBe(canonical);
  });

  it.each(['', '#ff', '#ggg', 'rgb(1,2)', 'rgb(1%,2,3)', 'hsl(1,2%,3%)', 'rgb(1 2 3 / 4 / 5)', 'notacolour', 'constructor', '__proto__'])('refuses %j', (text) => {
    expect(parseColor(text)).toBeNull();
  });
});
