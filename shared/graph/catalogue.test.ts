import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeGraph } from './catalogue.ts';
import { buildCatalogue } from './sources.ts';
import { GRAPH_INPUT, graphImage } from './compile.ts';
import { compileGraph } from '../runtimes/index.ts';

const graphsDir = new URL('../../graphs/', import.meta.url);
const sources = () =>
  readdirSync(graphsDir).map((filename) => ({ filename, text: readFileSync(new URL(filename, graphsDir), 'utf8') }));

describe('graph catalogue', () => {
  it('loads every graph file of graphs/', async () => {
    const catalogue = await buildCatalogue(sources());
    expect([...catalogue.keys()].sort()).toEqual(expect.arrayContaining(['crop', 'gaussianblur', 'noop', 'passthrough']));
  });

  it('types every exported inport of the .fbp crop graph from the component declarations', async () => {
    const crop = (await buildCatalogue(sources())).get('crop')!;
    const { inports } = describeGraph(crop);
    expect(inports.x).toMatchObject({ type: 'number', default: 0 });
    expect(inports.cropwidth).toMatchObject({ type: 'number', default: 10, minimum: 1 });
    expect(inports.cropheight).toMatchObject({ type: 'number', default: 10 });
    expect(inports.width).toMatchObject({ type: 'int', minimum: 1 });
    expect(crop.compiled.steps.map((s) => s.component)).toEqual(['crop', 'nop']);
    expect(crop.compiled.steps[0]!.inputs.input).toBe(GRAPH_INPUT);
  });

  it('makes an exported inport to an image port an image inport (watermark\'s overlay)', async () => {
    const wm = (await buildCatalogue(sources())).get('watermark')!;
    expect(describeGraph(wm).inports.overlay).toEqual({ type: 'image', description: expect.stringContaining('files/<name>'), default: null });
    expect(wm.compiled.steps[0]!.inputs).toEqual({ input: GRAPH_INPUT, overlay: graphImage('overlay') });
    // Any image port will do: gegl/over's aux, fed by a stale loader that the export replaces.
    const over = compileGraph('over', {
      processes: { load: { component: 'gegl/nop' }, over: { component: 'svg/src-over' } },
      connections: [{ src: { process: 'load', port: 'output' }, tgt: { process: 'over', port: 'aux' } }],
      inports: { input: { process: 'over', port: 'input' }, logo: { process: 'over', port: 'aux' } },
      outports: { output: { process: 'over', port: 'output' } },
    });
    expect([over.inports.logo!.decl.type, over.steps.map((s) => s.id), over.steps[0]!.inputs.aux]).toEqual(['image', ['over'], graphImage('logo')]);
    expect(() =>
      compileGraph('stray', {
        processes: { a: { component: 'gegl/nop' }, over: { component: 'svg/src-over' } },
        connections: [],
        inports: { input: { process: 'a', port: 'input' }, logo: { process: 'over', port: 'aux' } },
        outports: { output: { process: 'a', port: 'output' } },
      }),
    ).toThrow(/logo does not reach the output/);
  });

  it('takes defaults from the graph file and lists every enum value', async () => {
    const blur = (await buildCatalogue(sources())).get('gaussianblur')!;
    const { inports } = describeGraph(blur);
    expect(inports['std-dev-x']).toMatchObject({ type: 'number', default: 1.5, minimum: 0, maximum: 1500 });
    expect(inports['abyss-policy']).toMatchObject({ type: 'enum', default: 'clamp', values: ['none', 'clamp', 'black', 'white'] });
  });

  it('shows no internal wiring', async () => {
    const catalogue = await buildCatalogue(sources());
    const text = JSON.stringify(describeGraph(catalogue.get('gaussianblur')!));
    expect(text).not.toContain('d4sgv');
    expect(text).not.toContain('processes');
  });

  it('gives a graph a new digest when its definition changes', async () => {
    const a = await buildCatalogue([{ filename: 'g.fbp', text: 'INPORT=c.INPUT:INPUT\nOUTPORT=c.OUTPUT:OUTPUT\nc(gegl/crop)' }]);
    const b = await buildCatalogue([
      { filename: 'g.fbp', text: "INPORT=c.INPUT:INPUT\nOUTPORT=c.OUTPUT:OUTPUT\n'20' -> WIDTH c(gegl/crop)" },
    ]);
    expect(a.get('g')!.digest).not.toBe(b.get('g')!.digest);
  });

  it('lets the exported input replace a stale loader feeding the same port', async () => {
    const c = await buildCatalogue([
      {
        filename: 'g.json',
        text: JSON.stringify({
          processes: { load: { component: 'gegl/load' }, a: { component: 'gegl/nop' }, p: { component: 'Processor' } },
          connections: [
            { src: { process: 'load', port: 'output' }, tgt: { process: 'a', port: 'input' } },
            { src: { process: 'a', port: 'output' }, tgt: { process: 'p', port: 'input' } },
            { data: 'x.jpg', tgt: { process: 'load', port: 'path' } },
          ],
          inports: { input: { process: 'a', port: 'input' } },
          outports: { output: { process: 'a', port: 'output' } },
        }),
      },
    ]);
    expect(c.get('g')!.compiled.steps.map((s) => s.id)).toEqual(['a']);
    expect(c.get('g')!.compiled.ignored.sort()).toEqual(['load', 'p']);
  });

  it('ignores processes the output does not need', async () => {
    const c = await buildCatalogue([
      {
        filename: 'g.json',
        text: JSON.stringify({
          processes: { a: { component: 'gegl/nop' }, stale: { component: 'gegl/load' } },
          connections: [],
          inports: { input: { process: 'a', port: 'input' } },
          outports: { output: { process: 'a', port: 'output' } },
        }),
      },
    ]);
    expect(c.get('g')!.compiled.ignored).toEqual(['stale']);
  });

  it.each([
    ['an unknown component', 'INPORT=c.INPUT:INPUT\nOUTPORT=c.OUTPUT:OUTPUT\nc(gegl/nonexistent)', /unknown component/],
    ['an inport to a missing property', 'INPORT=c.INPUT:INPUT\nINPORT=c.NOPE:NOPE\nOUTPORT=c.OUTPUT:OUTPUT\nc(gegl/crop)', /missing property/],
    ['no output', 'INPORT=c.INPUT:INPUT\nc(gegl/crop)', /outport/],
    ['a cycle', 'INPORT=a.INPUT:INPUT\nOUTPORT=c.OUTPUT:OUTPUT\na(gegl/nop) OUTPUT -> INPUT b(svg/src-over) OUTPUT -> INPUT c(gegl/nop) OUTPUT -> AUX b', /cycle/],
    ['an IIP of the wrong type', "INPORT=c.INPUT:INPUT\nOUTPORT=c.OUTPUT:OUTPUT\n'abc' -> X c(gegl/crop)", /bad value/],
  ])('refuses a graph with %s', async (_what, text, message) => {
    await expect(buildCatalogue([{ filename: 'g.fbp', text }])).rejects.toThrow(message);
  });
});
