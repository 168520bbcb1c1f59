/** The FBP graph format the original used (and Flowhub writes); `.fbp` text parses to it. */
export interface PortRef {
  process: string;
  port: string;
}

export interface Connection {
  src?: PortRef;
  tgt: PortRef;
  data?: unknown;
}

export interface GraphDefinition {
  properties?: {
    name?: string;
    description?: string;
    environment?: { type?: string };
  };
  processes: Record<string, { component: string }>;
  connections: Connection[];
  inports: Record<string, PortRef>;
  outports: Record<string, PortRef>;
}

/** A problem in a graph file, found when the catalogue is loaded (never shown to clients). */
export class GraphError extends Error {
  override readonly name = 'GraphError';
}
