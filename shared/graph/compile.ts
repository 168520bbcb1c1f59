/**
 * Validates an imgflo graph against the component library and compiles it into an ordered plan:
 * only the processes the output depends on, sources first. Processes nothing reads (stale
 * editor leftovers) are ignored and cost nothing.
 */
import { componentDecl, findComponent } from '../components/registry.ts';
import type { PropDecl, PropValue } from '../components/types.ts';
import { coerceValue } from '../params.ts';
import type { GraphDefinition } from './model.ts';
import type { CompiledGraph, ExportedInport, PlanStep } from './compiled.ts';

export type { CompiledGraph, ExportedInport, PlanStep, Runtime } from './compiled.ts';

/** The step id that stands for the graph's exported `input`. */
export const GRAPH_INPUT = '$input';

/** The step id that stands for an exported image inport other than `input` (`overlay`, ...). */
export const graphImage = (inport: string) => `$image:${inport}`;

/** The type of an exported image inport: a reference under the rules of `input` (shared/input-ref.ts). */
const IMAGE_INPORT: PropDecl = {
  type: 'image',
  description: 'An image: an http(s) URL, files/<name> or a graph/... URL of this service',
  default: '',
};

/** The graph's exported image inports other than `input`, by name. */
export const imageInports = (graph: CompiledGraph) => Object.keys(graph.inports).filter((n) => graph.inports[n]!.decl.type === 'image');

/** An imgflo graph's plan (the runtime is chosen by shared/runtimes/index.ts compileGraph). */
export function compileImgfloGraph(g: GraphDefinition, fail: (msg: string) => never): CompiledGraph {
  const outNames = Object.keys(g.outports);
  if (outNames.length !== 1 || outNames[0] !== 'output') fail('needs exactly one exported outport "output"');
  const outRef = g.outports.output!;

  // Which steps does the output need? Walk edges backwards from the output's process.
  const inputRef = g.inports.input;
  // Exported inports that go to an image port (not a property) take an image reference.
  const imagePorts = Object.entries(g.inports).filter(([port, ref]) => {
    if (port === 'input') return false;
    const component = g.processes[ref.process] && findComponent(g.processes[ref.process]!.component);
    return component ? componentDecl(component).inputs.includes(ref.port) : false;
  });
  const exported = (tgt: { process: string; port: string }) =>
    [inputRef, ...imagePorts.map(([, ref]) => ref)].some((ref) => ref && ref.process === tgt.process && ref.port === tgt.port);
  const feeding = new Map<string, Map<string, string>>(); // process -> port -> src process
  for (const c of g.connections) {
    if (!c.src) continue;
    // An exported image replaces whatever else feeds its port (editors leave a stale loader there).
    if (exported(c.tgt)) continue;
    if (c.src.port !== 'output') fail(`${c.src.process}.${c.src.port} is not an output port`);
    const ports = feeding.get(c.tgt.process) ?? new Map<string, string>();
    if (ports.has(c.tgt.port)) fail(`${c.tgt.process}.${c.tgt.port} has two sources`);
    ports.set(c.tgt.port, c.src.process);
    feeding.set(c.tgt.process, ports);
  }
  const needed: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string) => {
    if (state.get(id) === 'done') return;
    if (state.get(id) === 'visiting') fail(`cycle through ${id}`);
    if (!g.processes[id]) fail(`unknown process ${id}`);
    state.set(id, 'visiting');
    for (const src of feeding.get(id)?.values() ?? []) visit(src);
    state.set(id, 'done');
    needed.push(id);
  };
  visit(outRef.process);

  const steps: PlanStep[] = [];
  for (const id of needed) {
    const component = findComponent(g.processes[id]!.component) ?? fail(`unknown component ${g.processes[id]!.component} (${id})`);
    const decl = componentDecl(component);
    const inputs: Record<string, string> = {};
    for (const [port, src] of feeding.get(id) ?? []) {
      if (!decl.inputs.includes(port)) fail(`${id} (${decl.name}) has no image port ${port}`);
      inputs[port] = src;
    }
    if (inputRef?.process === id) {
      if (!decl.inputs.includes(inputRef.port)) fail(`exported input goes to missing port ${id}.${inputRef.port}`);
      if (inputs[inputRef.port]) fail(`${id}.${inputRef.port} has two sources`);
      inputs[inputRef.port] = GRAPH_INPUT;
    }
    for (const [port, ref] of imagePorts) {
      if (ref.process !== id) continue;
      if (inputs[ref.port]) fail(`${id}.${ref.port} has two sources`);
      inputs[ref.port] = graphImage(port);
    }
    const fixed: Record<string, PropValue> = {};
    for (const c of g.connections) {
      if (c.src || c.tgt.process !== id) continue;
      const prop = decl.properties[c.tgt.port];
      if (!prop) fail(`${id} (${decl.name}) has no property ${c.tgt.port}`);
      try {
        fixed[c.tgt.port] = coerceValue(c.tgt.port, c.data, prop!);
      } catch {
        fail(`bad value for ${id}.${c.tgt.port}`);
      }
    }
    if (decl.inputs.includes('input') && !inputs.input) fail(`${id}.input is not connected`);
    steps.push({ id, component, inputs, fixed });
  }

  const inports: Record<string, ExportedInport> = {};
  for (const [port, ref] of Object.entries(g.inports)) {
    if (port === 'input') continue;
    if (imagePorts.some(([p]) => p === port)) {
      if (!steps.some((s) => s.inputs[ref.port] === graphImage(port))) fail(`the exported image ${port} does not reach the output`);
      inports[port] = { process: ref.process, port: ref.port, decl: IMAGE_INPORT };
      continue;
    }
    const proc = g.processes[ref.process] ?? fail(`inport ${port} goes to unknown process ${ref.process}`);
    const component = findComponent(proc.component) ?? fail(`unknown component ${proc.component}`);
    const prop = componentDecl(component).properties[ref.port] ?? fail(`inport ${port} goes to missing property ${ref.process}.${ref.port}`);
    const step = steps.find((s) => s.id === ref.process);
    const fixedDefault = step?.fixed[ref.port];
    inports[port] = {
      process: ref.process,
      port: ref.port,
      decl: fixedDefault === undefined ? prop : { ...prop, default: fixedDefault },
    };
  }

  const usesInput = steps.some((s) => Object.values(s.inputs).includes(GRAPH_INPUT));
  if (inputRef && !usesInput) fail('the exported input does not reach the output');
  return {
    runtime: 'imgflo',
    steps,
    output: outRef.process,
    inports,
    generative: !inputRef,
    ignored: Object.keys(g.processes).filter((id) => !needed.includes(id)),
  };
}
