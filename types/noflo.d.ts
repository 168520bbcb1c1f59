// The part of noflo's API the NoFlo runtime uses (its own typings sit outside its "exports").
declare module 'noflo' {
  export interface IP {
    type: 'data' | 'openBracket' | 'closeBracket';
    data: unknown;
  }
  export interface ProcessInput {
    attached(port: string): number[];
    has(port: string | [string, number]): boolean;
    get(port: string | [string, number]): IP | undefined;
  }
  export interface ProcessOutput {
    sendDone(packets: Record<string, unknown>): void;
    done(error?: Error): void;
  }
  export class Component {
    constructor(options: {
      description?: string;
      inPorts?: Record<string, { datatype: string; addressable?: boolean }>;
      outPorts?: Record<string, { datatype: string }>;
      process?: (input: ProcessInput, output: ProcessOutput) => void;
    });
  }
  export class ComponentLoader {
    constructor(baseDir: string);
    components: Record<string, unknown> | null;
    ready: boolean;
    registerComponent(packageId: string, name: string, factory: () => Component): void;
  }
  export const graph: { loadJSON(definition: object): Promise<object> };
  export function asPromise(graph: object, options: { loader: ComponentLoader; name?: string }): (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>;
}
