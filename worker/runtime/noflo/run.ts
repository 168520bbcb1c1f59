/**
 * The NoFlo runtime: a NoFlo graph (kept whole by shared/graph/compile-noflo.ts) runs on the
 * `noflo` package with this repository's components, inside a processing process like every
 * other job (same deadline, same limits). The URL's width and height make the canvas; the other
 * parameters go to their exported inports; the last canvas the graph puts out is the picture.
 */
import * as noflo from 'noflo';
import { parseColor } from '../../../shared/color.ts';
import type { PropValue } from '../../../shared/components/types.ts';
import { CANVAS_PROCESS, canvasSize } from '../../../shared/graph/compile-noflo.ts';
import type { CompiledGraph } from '../../../shared/graph/compile.ts';
import { CANVAS_INPORT } from '../../../shared/noflo/components.ts';
import type { RawImage } from '../raw-image.ts';
import { COMPONENTS } from './components.ts';
import { rasterise, type Canvas } from './shapes.ts';

let loader: noflo.ComponentLoader | null = null;

/** The components, registered by name; nothing is discovered from the file system. */
function componentLoader(): noflo.ComponentLoader {
  if (loader) return loader;
  loader = new noflo.ComponentLoader(process.cwd());
  loader.components = {};
  loader.ready = true;
  for (const [fullName, factory] of Object.entries(COMPONENTS)) {
    const [pkg, name] = fullName.split('/') as [string, string];
    loader.registerComponent(pkg, name, factory);
  }
  return loader;
}

/** A parameter as the NoFlo port expects it: colours as CSS. */
function valueFor(type: string, value: PropValue): unknown {
  if (type !== 'color') return value;
  const c = parseColor(String(value));
  return c ? `rgba(${c.r}, ${c.g}, ${c.b}, ${+c.a.toFixed(3)})` : String(value);
}

export async function runNoflo(graph: CompiledGraph, params: Readonly<Record<string, PropValue>>): Promise<RawImage> {
  const instance = await noflo.graph.loadJSON(graph.noflo!);
  const inputs: Record<string, unknown> = { [CANVAS_INPORT]: canvasSize(graph, params) };
  for (const [name, port] of Object.entries(graph.inports)) {
    if (port.process === CANVAS_PROCESS) continue;
    inputs[name] = valueFor(port.decl.type, params[name] ?? port.decl.default);
  }
  const run = noflo.asPromise(instance, { loader: componentLoader(), name: 'imgflo' });
  const result = (await run(inputs)) as { output?: unknown };
  const outputs = Array.isArray(result.output) ? result.output : [result.output];
  const canvas = outputs.filter((o): o is Canvas => typeof o === 'object' && o !== null && 'commands' in o).at(-1);
  if (!canvas) throw new Error('the NoFlo graph drew nothing');
  return rasterise(canvas);
}
