/** Starts the real stack (backend process + wrangler dev) on free loopback ports for a test file. */
import { createServer } from 'node:net';
import { startStack, type Proc, type Stack } from '../../scripts/stack.ts';
import { sumCounter } from './metrics.ts';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export async function startTestStack(env: Record<string, string> = {}): Promise<Stack> {
  return startStack({
    edgePort: await freePort(),
    backendPort: await freePort(),
    inspectorPort: await freePort(),
    env: { IMGFLO_LOG_LEVEL: 'warn', ...env },
  });
}

/** Sums the samples of a Prometheus counter in the backend's /metrics, filtered by labels. */
export async function counter(stack: Stack, name: string, labels: Record<string, string> = {}): Promise<number> {
  return sumCounter([{ name: 'backend', url: stack.backendUrl } as Proc], name, labels);
}
