declare module 's3rver' {
  interface S3rverOptions {
    address?: string;
    port?: number;
    silent?: boolean;
    directory: string;
    configureBuckets?: Array<{ name: string; configs: unknown[] }>;
  }
  /** The parts of a request's Koa context the helpers use. */
  interface S3rverContext {
    method: string;
    path: string;
    get(header: string): string;
    req: import('node:http').IncomingMessage;
    status: number;
    type: string;
    body: unknown;
    app: S3rver;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    /** Koa's middleware, in order (s3rver is a Koa application). */
    middleware: Array<(ctx: S3rverContext, next: () => Promise<void>) => Promise<void>>;
    /** Its filesystem store. */
    store: { existsObject(bucket: string, key: string): Promise<boolean> };
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
  }
}
