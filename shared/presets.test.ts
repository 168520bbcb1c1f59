import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildCatalogue } from './graph/sources.ts';
import { expandPreset, parsePresetFile, withPreset, type PresetSet } from './presets.ts';
import { resolveRequest } from './request.ts';
import { parseQuery } from './url.ts';

const service: PresetSet = { small: { description: 'small', params: { width: 320, quality: 75 } }, tiny: { description: '', params: { width: 32 } } };
const app: PresetSet = { small: { description: 'the app’s', params: { width: 200 } } };
const expand = (search: string, sets = [undefined, service]) => expandPreset(parseQuery(search), sets);

describe('presets', () => {
  it('expands preset= into its parameters, explicit ones overriding, and leaves other requests alone', () => {
    expect(expand('?input=files%2Fa.jpg&preset=small')).toEqual([['width', '320'], ['quality', '75'], ['input', 'files/a.jpg']]);
    expect(expand('?input=files%2Fa.jpg&preset=small&quality=90')).toEqual([['width', '320'], ['input', 'files/a.jpg'], ['quality', '90']]);
    const plain = parseQuery('?input=files%2Fa.jpg&width=3');
    expect(expandPreset(plain, [service])).toBe(plain);
  });

  it('takes an app’s preset over the service’s of the same name', () => {
    expect(expand('?preset=small', [app, service])).toEqual([['width', '200']]);
    expect(expand('?preset=tiny', [app, service])).toEqual([['width', '32']]);
  });

  it('answers 422 naming the known presets for an unknown or repeated one', () => {
    expect(() => expand('?preset=huge', [app, service])).toThrowError(
      expect.objectContaining({ status: 422, extra: { parameter: 'preset' }, message: expect.stringContaining('small, tiny') }),
    );
    expect(() => expand('?preset=x', [undefined, undefined])).toThrowError(expect.objectContaining({ message: expect.stringContaining('no presets') }));
    expect(() => expand('?preset=small&preset=tiny')).toThrowError(expect.objectContaining({ status: 422 }));
    expect(() => expand('?preset=__proto__')).toThrowError(expect.objectContaining({ status: 422 }));
  });

  it('refuses preset files that set the input or controls, or have bad names', () => {
    expect(() => parsePresetFile('g.json', '{"x": {"params": {"input": "files/a.jpg"}}}')).toThrow(/g\.json.*may not set input/);
    expect(() => parsePresetFile('g.json', '{"bad name": {"params": {}}}')).toThrow(/g\.json/);
    expect(() => parsePresetFile('g.json', '{"x": {"params": {"a": {"nested": 1}}}}')).toThrow(/g\.json/);
    expect(parsePresetFile('g.json', '{"x": {"params": {"a": 1}}}')).toEqual({ x: { description: '', params: { a: 1 } } });
  });

  it('ships presets that each resolve against their graph, and a catalogue refuses presets of a graph it lacks', async () => {
    const root = new URL('../', import.meta.url);
    const read = (dir: string) => readdirSync(new URL(dir, root)).map((f) => ({ filename: f, text: readFileSync(new URL(`${dir}${f}`, root), 'utf8') }));
    const presets = Object.fromEntries(read('presets/').map(({ filename, text }) => [filename.replace(/\.json$/, ''), parsePresetFile(filename, text)]));
    expect(Object.keys(presets).length).toBeGreaterThan(0);
    const catalogue = await buildCatalogue(read('graphs/'), presets);
    for (const [graph, set] of Object.entries(presets)) {
      const entry = catalogue.get(graph)!;
      expect(entry.presets).toBe(set);
      for (const name of Object.keys(set)) {
        const req = resolveRequest(entry, 'jpg', expandPreset(parseQuery(`?input=files%2Fa.jpg&preset=${name}`), [entry.presets]), { sizeLimitMegapixels: 25 });
        expect(Object.keys(req.params).length).toBeGreaterThan(0);
      }
    }
    await expect(buildCatalogue(read('graphs/'), { nosuchgraph: {} })).rejects.toThrow(/nosuchgraph/);
    // retro's own `preset` inport (the original's URLs) is its parameter, not a preset name.
    const retro = catalogue.get('retro')!;
    const pairs = parseQuery('?input=files%2Fa.jpg&preset=batcave');
    expect(withPreset(retro, pairs)).toBe(pairs);
    expect(resolveRequest(retro, '', withPreset(retro, pairs), { sizeLimitMegapixels: 25 }).params.preset).toBe('batcave');
    await expect(buildCatalogue(read('graphs/'), { retro: { x: { description: '', params: {} } } })).rejects.toThrow(/retro.*own preset/);
  });
});
