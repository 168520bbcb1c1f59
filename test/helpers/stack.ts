/** Starts the real stack (backend process + wrangler dev) on free loopback ports for a test file. */
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { startStack, type Proc, type Stack } from '../../scripts/stack.ts';
import { sumCounter } from './metrics.ts';

/**
 * The ports this process has handed out: never handed out twice. They are taken below the
 * kernel's ephemeral range, so no outgoing connection and no `listen(0)` of another process (a
 * workerd socket, say) can take one between this check and the server that binds it.
 */
const handedOut = new Set<number>();
const EPHEMERAL_LOW = (() => {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
})();
const LOWEST = Math.min(10_000, EPHEMERAL_LOW - 1000);

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 1000; i++) {
    const port = LOWEST + Math.floor(Math.random() * (EPHEMERAL_LOW - LOWEST));
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canListen(port)) return port;
  }
  throw new Error('no free loopback port below the ephemeral range');
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
