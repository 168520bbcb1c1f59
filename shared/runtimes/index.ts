/**
 * The runtimes, by name: the type checker holds the table complete (one entry for each name of
 * `Runtime`). Everything that differs between runtimes is read from here, never from a branch
 * on the name.
 */
import type { CompiledGraph, Runtime } from '../graph/compiled.ts';
import { GraphError, type GraphDefinition } from '../graph/model.ts';
import { imgflo } from './imgflo.ts';
import { info } from './info.ts';
import { noflo } from './noflo.ts';
import { noop } from './noop.ts';
import type { RuntimeSpec } from './runtime.ts';

export type { RuntimeSpec } from './runtime.ts';

export const RUNTIMES: { readonly [R in Runtime]: RuntimeSpec } = { imgflo, noflo, noop, info };

/** The runtime of a compiled graph. */
export const runtimeOf = (graph: Pick<CompiledGraph, 'runtime'>): RuntimeSpec => RUNTIMES[graph.runtime];

/** Compiles a graph file with the runtime its `properties.environment.type` names (imgflo when none). */
export function compileGraph(name: string, g: GraphDefinition): CompiledGraph {
  const fail = (msg: string): never => {
    throw new GraphError(`graph ${name}: ${msg}`);
  };
  const type = g.properties?.environment?.type ?? 'imgflo';
  const runtime = Object.values(RUNTIMES).find((r) => r.graphs?.names(type));
  return runtime?.graphs ? runtime.graphs.compile(g, fail) : fail(`unsupported runtime ${type}`);
}
