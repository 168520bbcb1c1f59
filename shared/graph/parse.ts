/** Reads a graph file, FBP JSON or `.fbp` text, into a GraphDefinition with only what runs. */
import fbp from 'fbp';
import { GraphError, type Connection, type GraphDefinition, type PortRef } from './model.ts';

export function graphNameOf(filename: string): string {
  return filename.replace(/^.*\//, '').replace(/\.(json|fbp)$/, '');
}

export function parseGraphSource(filename: string, text: string): GraphDefinition {
  let raw: unknown;
  try {
    raw = filename.endsWith('.fbp') ? fbp.parse(text, { caseSensitive: false }) : JSON.parse(text);
  } catch (e) {
    throw new GraphError(`${filename}: cannot parse: ${(e as Error).message}`);
  }
  return normalize(filename, raw);
}

function normalize(filename: string, raw: unknown): GraphDefinition {
  if (typeof raw !== 'object' || raw === null) throw new GraphError(`${filename}: not an object`);
  const g = raw as Record<string, unknown>;
  const props = (g.properties ?? {}) as Record<string, unknown>;
  const env = (props.environment ?? {}) as Record<string, unknown>;
  const processes: GraphDefinition['processes'] = {};
  for (const [id, p] of Object.entries((g.processes ?? {}) as Record<string, { component?: unknown }>)) {
    if (typeof p?.component !== 'string') throw new GraphError(`${filename}: process ${id} has no component`);
    processes[id] = { component: p.component };
  }
  const connections: Connection[] = [];
  for (const c of (g.connections ?? []) as Array<Record<string, unknown>>) {
    const tgt = portRef(filename, c.tgt);
    if ('data' in c) connections.push({ data: c.data, tgt });
    else connections.push({ src: portRef(filename, c.src), tgt });
  }
  const ports = (value: unknown) =>
    Object.fromEntries(
      Object.entries((value ?? {}) as Record<string, unknown>).map(([name, ref]) => [
        name.toLowerCase(),
        portRef(filename, ref),
      ]),
    );
  const properties: NonNullable<GraphDefinition['properties']> = {};
  if (typeof props.name === 'string') properties.name = props.name;
  if (typeof props.description === 'string') properties.description = props.description;
  if (typeof env.type === 'string') properties.environment = { type: env.type };
  return { properties, processes, connections, inports: ports(g.inports), outports: ports(g.outports) };
}

function portRef(filename: string, value: unknown): PortRef {
  const v = value as Partial<PortRef> | undefined;
  if (typeof v?.process !== 'string' || typeof v?.port !== 'string') {
    throw new GraphError(`${filename}: a connection or port lacks process/port`);
  }
  return { process: v.process, port: v.port.toLowerCase() };
}
