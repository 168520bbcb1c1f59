/**
 * The sizes a plan makes, from its parameters alone (no pixel read): each step's output from its
 * inputs' sizes and its properties, as the components declare them. The worker checks every one
 * against its limits before any work (worker/runtime/process-image.ts); /graphs tells from them
 * whether a graph's result is as wide as its `width` (so that a srcset's `w` holds).
 */
import { componentDecl } from '../components/registry.ts';
import type { ComponentDecl, PropValue, Size } from '../components/types.ts';
import { runtimeOf } from '../runtimes/index.ts';
import { scalesInput } from '../runtimes/decisions.ts';
import { GRAPH_INPUT, graphImage, type CompiledGraph, type PlanStep } from './compile.ts';

/** A step's properties: its component's defaults, the graph's fixed values, then the request's. */
export function propsOf(graph: CompiledGraph, step: PlanStep, params: Readonly<Record<string, PropValue>>): Record<string, PropValue> {
  const props: Record<string, PropValue> = {};
  for (const [name, decl] of Object.entries(componentDecl(step.component).properties)) props[name] = decl.default;
  Object.assign(props, step.fixed);
  for (const [name, inport] of Object.entries(graph.inports)) {
    if (inport.decl.type === 'image') continue;
    if (inport.process === step.id && params[name] !== undefined) props[inport.port] = params[name];
  }
  return props;
}

/** Each step's output size in order, then the output's; `images`: the sizes of the graph's input and other images. */
export function* planSizes(graph: CompiledGraph, params: Readonly<Record<string, PropValue>>, images: ReadonlyMap<string, Size>): Generator<{ step: PlanStep; decl: ComponentDecl; size: Size; props: Record<string, PropValue> }, Size> {
  const sizes = new Map<string, Size>(images);
  const canvas = runtimeOf(graph).canvas;
  if (canvas) sizes.set(graph.output, canvas(graph, params));
  for (const step of graph.steps) {
    const ins = Object.values(step.inputs).map((src) => sizes.get(src)!);
    const props = propsOf(graph, step, params);
    const decl = componentDecl(step.component);
    const size = decl.outputSize ? decl.outputSize(ins, props) : ins[0]!;
    sizes.set(step.id, size);
    yield { step, decl, size, props };
  }
  return sizes.get(graph.output)!;
}

/** The output's size for these parameters and image sizes. */
export function outputSize(graph: CompiledGraph, params: Readonly<Record<string, PropValue>>, images: ReadonlyMap<string, Size>): Size {
  const sizes = planSizes(graph, params, images);
  for (let r = sizes.next(); ; r = sizes.next()) if (r.done) return r.value;
}

/**
 * Whether the result is `width` wide whatever the input, with the graph's defaults: true for a
 * graph that keeps the scaled input's size (passthrough, a blur) or makes the size it is given (a
 * canvas, resize); false where another parameter sets it (crop's `cropwidth`, thumbnail's box).
 */
export function resultFollowsWidth(graph: CompiledGraph): boolean {
  if (!Object.hasOwn(graph.inports, 'width') && !scalesInput(graph)) return false;
  const defaults = Object.fromEntries(Object.entries(graph.inports).map(([name, i]) => [name, i.decl.default])) as Record<string, PropValue>;
  return [400, 800, 1300].every((width) => {
    // An input of another shape than the result asks for: a 1600 × 1200 photo scaled to `width`.
    const input = { width, height: Math.round((1200 * width) / 1600) };
    const images = new Map<string, Size>(graph.generative ? [] : [[GRAPH_INPUT, scalesInput(graph) ? input : { width: 1600, height: 1200 }]]);
    for (const [name, inport] of Object.entries(graph.inports)) if (inport.decl.type === 'image') images.set(graphImage(name), { width: 200, height: 100 });
    return outputSize(graph, { ...defaults, width }, images).width === width;
  });
}
