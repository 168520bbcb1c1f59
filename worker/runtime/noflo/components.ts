/**
 * The twelve NoFlo components of the original's NoFlo graphs, as NoFlo components (the process
 * API of the `noflo` package), registered under the names the graph files use. Each keeps the
 * latest packet of every port and answers whenever its required ports are all set — as the
 * originals did, so the network's last output is the picture. Ports: shared/noflo/components.ts.
 */
import { createHash } from 'node:crypto';
import Delaunay from 'delaunay-fast';
import * as noflo from 'noflo';
import seedrandom from 'seedrandom';
import { NOFLO_COMPONENTS } from '../../../shared/noflo/components.ts';
import { expandToArray } from './expand.ts';
import type { Canvas, Point } from './shapes.ts';

type State = Record<string, unknown> & { [addressable: `${string}[]`]: unknown[] };
type Compute = (state: State) => unknown;

/** A component that remembers each port's latest data and sends compute(state) when defined. */
function stateful(name: string, compute: Compute): () => noflo.Component {
  const decl = NOFLO_COMPONENTS[name]!;
  const [outport] = decl.outports as [string];
  return () => {
    const state = {} as State;
    return new noflo.Component({
      description: decl.description,
      inPorts: Object.fromEntries(Object.entries(decl.inports).map(([port, p]) => [port, { datatype: 'all', addressable: Boolean(p.addressable) }])),
      outPorts: { [outport]: { datatype: 'all' } },
      process(input, output) {
        for (const [port, p] of Object.entries(decl.inports)) {
          if (p.addressable) {
            for (const idx of input.attached(port) as number[]) {
              while (input.has([port, idx])) {
                const ip = input.get([port, idx]) as noflo.IP | undefined;
                if (ip?.type === 'data') (state[`${port}[]`] ??= [])[idx] = ip.data;
              }
            }
          } else {
            while (input.has(port)) {
              const ip = input.get(port) as noflo.IP | undefined;
              if (ip?.type === 'data') state[port] = ip.data;
            }
          }
        }
        const result = compute(state);
        if (result === undefined) output.done();
        else output.sendDone({ [outport]: result });
      },
    });
  };
}

const set = (...values: unknown[]) => values.every((v) => v !== undefined && v !== null);
/** An addressable port's packets, in the order of their connections. */
const indexed = (state: State, port: string) => (state[`${port}[]`] ?? []).filter((v) => v !== undefined);

export const COMPONENTS: Readonly<Record<string, () => noflo.Component>> = {
  'core/Split': stateful('core/Split', (s) => s.in),
  'objects/ExtractProperty': stateful('objects/ExtractProperty', (s) => (set(s.in, s.key) ? (s.in as Record<string, unknown>)[String(s.key)] : undefined)),
  'math/Add': stateful('math/Add', (s) => (set(s.augend, s.addend) ? Number(s.augend) + Number(s.addend) : undefined)),
  'md5/CalculateHash': stateful('md5/CalculateHash', (s) => (set(s.in) ? createHash('md5').update(String(s.in)).digest('hex') : undefined)),
  'strings/SubStr': stateful('strings/SubStr', (s) => (set(s.in, s.index, s.limit) ? String(s.in).substr(Number(s.index), Number(s.limit)) : undefined)),
  'seedrandom/RandomArray': stateful('seedrandom/RandomArray', (s) => {
    if (!set(s.seed, s.min, s.max, s.count) || Number(s.count) < 1) return undefined;
    // A fresh generator every time, from the seed: the same numbers for the same seed.
    const rng = seedrandom(String(s.seed));
    const [min, spread] = [Number(s.min), Number(s.max) - Number(s.min)];
    const numbers = Array.from({ length: Number(s.count) }, () => min + rng() * spread);
    return numbers.length === 1 ? numbers[0] : numbers;
  }),
  'canvas/MakePoint': stateful('canvas/MakePoint', (s) => (set(s.x, s.y) ? expandToArray({ type: 'point', x: s.x, y: s.y }) : undefined)),
  'canvas/MakeRectangle': stateful('canvas/MakeRectangle', (s) =>
    set(s.point, s.width, s.height) ? expandToArray({ type: 'rectangle', point: s.point, width: s.width, height: s.height }) : undefined,
  ),
  'canvas/MakeRGBColor': stateful('canvas/MakeRGBColor', (s) => {
    if (!set(s.red, s.green, s.blue)) return undefined;
    const css = (c: Record<string, unknown>) => {
      const [r, g, b] = [c.red, c.green, c.blue].map((v) => Math.round(Number(v)));
      return c.alpha === undefined ? `rgb(${r}, ${g}, ${b})` : `rgba(${r}, ${g}, ${b}, ${c.alpha})`;
    };
    const colours = expandToArray({ red: s.red, green: s.green, blue: s.blue, ...(s.alpha !== undefined && { alpha: s.alpha }) });
    return Array.isArray(colours) ? colours.map(css) : css(colours);
  }),
  'canvas/Fill': stateful('canvas/Fill', (s) => {
    const items = indexed(s, 'items');
    if (items.length === 0) return undefined;
    return expandToArray({ type: 'fill', items: expandToArray(items), ...(s.fillstyle !== undefined && { fillstyle: s.fillstyle }) });
  }),
  'geometry/Delaunay': stateful('geometry/Delaunay', (s) => {
    const points = s.points as Point[] | undefined;
    if (!Array.isArray(points) || points.length < 3) return undefined;
    const vertices = points.map((p) => [Number(p.x), Number(p.y)] as [number, number]);
    const ids = Delaunay.triangulate(vertices);
    const paths = [];
    for (let i = 0; i < ids.length; i += 3) {
      paths.push({ type: 'path', items: [0, 1, 2].map((j) => ({ type: 'point', x: vertices[ids[i + j]!]![0], y: vertices[ids[i + j]!]![1] })) });
    }
    return paths;
  }),
  'canvas/Draw': stateful('canvas/Draw', (s): Canvas | undefined => {
    const canvas = s.canvas as { width: number; height: number } | undefined;
    const commands = indexed(s, 'commands');
    if (!canvas || commands.length === 0) return undefined;
    // The picture so far: what is drawn is the display list, rasterised once the network ends.
    return { width: canvas.width, height: canvas.height, commands };
  }),
};
