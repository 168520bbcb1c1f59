/**
 * What a graph compiles to (compile.ts, compile-noflo.ts): the types alone, so the compilers
 * share them without importing each other.
 */
import type { ComponentId } from '../components/registry.ts';
import type { PropDecl, PropValue } from '../components/types.ts';
import type { GraphDefinition } from './model.ts';

export interface PlanStep {
  id: string;
  component: ComponentId;
  /** Image port → id of the step that feeds it (or GRAPH_INPUT). */
  inputs: Record<string, string>;
  /** Property values fixed in the graph file. */
  fixed: Record<string, PropValue>;
}

export interface ExportedInport {
  process: string;
  port: string;
  decl: PropDecl;
}

/** `info` is no graph file's: it describes the input instead of processing it (shared/info.ts). */
export type Runtime = 'imgflo' | 'noop' | 'noflo' | 'info';

export interface CompiledGraph {
  runtime: Runtime;
  steps: PlanStep[];
  /** Id of the step whose result is the graph's output (GRAPH_INPUT for an identity graph). */
  output: string;
  /** Exported property inports, typed from the component declarations. */
  inports: Record<string, ExportedInport>;
  generative: boolean;
  ignored: string[];
  /** A NoFlo graph, whole: it runs on the noflo package (compile-noflo.ts). */
  noflo?: GraphDefinition;
}
