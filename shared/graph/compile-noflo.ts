/**
 * NoFlo graphs (`environment.type` noflo-nodejs, noflo-browser): checked against the declared
 * NoFlo components and kept whole, to run on the `noflo` package. The exported `canvas` inport
 * becomes the URL's `width` and `height`; every other exported inport becomes the typed
 * parameter its component port declares, defaulting to the graph's own IIP.
 */
import type { PropDecl } from '../components/types.ts';
import { CANVAS_INPORT, NOFLO_COMPONENTS } from '../noflo/components.ts';
import { coerceValue } from '../params.ts';
import type { CompiledGraph, ExportedInport } from './compiled.ts';
import type { GraphDefinition } from './model.ts';

/** The canvas's size: the parameters a NoFlo graph's exported canvas stands for. */
const CANVAS_SIZE = (what: string, def: number): PropDecl => ({ type: 'int', description: `${what} of the canvas`, default: def, minimum: 1, maximum: 4000 });

export const CANVAS_PROCESS = '$canvas';

/** The JPEG quality node-canvas wrote the original's NoFlo results with (4:2:0 below 90). */
export const NOFLO_JPEG_QUALITY = 75;

/** The canvas a request asks for (its width and height, or their defaults). */
export function canvasSize(graph: CompiledGraph, params: Readonly<Record<string, unknown>>): { width: number; height: number } {
  return {
    width: Number(params.width ?? graph.inports.width!.decl.default),
    height: Number(params.height ?? graph.inports.height!.decl.default),
  };
}

export function compileNofloGraph(g: GraphDefinition, fail: (msg: string) => never): CompiledGraph {
  const componentOf = (process: string) => {
    const proc = g.processes[process] ?? fail(`unknown process ${process}`);
    return NOFLO_COMPONENTS[proc.component] ?? fail(`unknown NoFlo component ${proc.component} (${process})`);
  };
  for (const c of g.connections) {
    const tgt = componentOf(c.tgt.process);
    if (!tgt.inports[c.tgt.port]) fail(`${c.tgt.process} has no inport ${c.tgt.port}`);
    if (c.src && !componentOf(c.src.process).outports.includes(c.src.port)) fail(`${c.src.process} has no outport ${c.src.port}`);
  }
  const outNames = Object.keys(g.outports);
  if (outNames.length !== 1 || outNames[0] !== 'output') fail('needs exactly one exported outport "output"');
  const out = g.outports.output!;
  if (!componentOf(out.process).outports.includes(out.port)) fail(`the output goes from a missing port ${out.process}.${out.port}`);
  if (!g.inports[CANVAS_INPORT]) fail(`needs an exported "${CANVAS_INPORT}" inport for the canvas`);

  const inports: Record<string, ExportedInport> = {
    width: { process: CANVAS_PROCESS, port: 'width', decl: CANVAS_SIZE('Width', 600) },
    height: { process: CANVAS_PROCESS, port: 'height', decl: CANVAS_SIZE('Height', 400) },
  };
  for (const [name, ref] of Object.entries(g.inports)) {
    const port = componentOf(ref.process).inports[ref.port] ?? fail(`inport ${name} goes to a missing port ${ref.process}.${ref.port}`);
    if (name === CANVAS_INPORT) continue;
    if (!port.param) fail(`inport ${name} (${ref.process}.${ref.port}) cannot be a URL parameter`);
    const decl: PropDecl = { ...port.param!, description: port.description };
    const iip = g.connections.find((c) => !c.src && c.tgt.process === ref.process && c.tgt.port === ref.port);
    if (iip) {
      try {
        decl.default = coerceValue(name, iip.data, decl);
      } catch {
        fail(`bad value for ${ref.process}.${ref.port}`);
      }
    }
    inports[name] = { process: ref.process, port: ref.port, decl };
  }
  return { runtime: 'noflo', steps: [], output: CANVAS_PROCESS, inports, generative: true, ignored: [], noflo: g };
}
