/**
 * Starts the backend in its role: `all` (bridge and workers in one process; with no service
 * URLs this is the embedded default), `bridge`, `worker` or `upstash-proxy`. Each role serves
 * /health, /ready and /metrics and connects only to the services it uses, without waiting for
 * them (/ready tells whether they answer); the bridge serves POST /jobs; the local-disk store is
 * served at /cache/; the Upstash-compatible endpoint is at /upstash.
 */
import { serve, type ServerType } from '@hono/node-server';
import { createAdapters } from './adapters/index.ts';
import { loadCatalogue } from './catalogue.ts';
import { portInUse } from '../shared/config-issues.ts';
import { ConfigError, loadBackendConfig } from './config.ts';
import { composeBackend } from './composition.ts';
import { createLogger } from './log.ts';
import { ffmpegFound } from './video/ffmpeg.ts';

export interface Backend {
  url: string;
  close(): Promise<void>;
}

export async function startBackend(env: Record<string, string | undefined>): Promise<Backend> {
  const config = loadBackendConfig(env);
  // No image work happens here: sharp and libvips are loaded by the processing processes only
  // (worker/runtime/child.ts sets their cache and threads), and cost this process no memory.
  const log = createLogger(config.logLevel).child({ role: config.role, instance: config.instanceId });
  const catalogue = await loadCatalogue(config.graphsDir);
  const runsWorkers = config.role === 'all' || config.role === 'worker';
  const adapters = createAdapters(config, log, { queue: config.role !== 'upstash-proxy', store: runsWorkers });
  const backend = await composeBackend(config, { catalogue, adapters, log });

  const server = await new Promise<ServerType>((resolve, reject) => {
    const s = serve({ fetch: backend.app.fetch, hostname: config.host, port: config.port }, () => resolve(s));
    s.once('error', reject);
  }).catch(async (e: NodeJS.ErrnoException) => {
    await backend.close();
    if (e.code === 'EADDRINUSE') throw new ConfigError(portInUse(config.port, 'IMGFLO_PORT'));
    throw e;
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host}:${port}`;
  log.info({ url, graphs: [...catalogue.keys()], ...adapters.describe }, 'backend listening');
  if (runsWorkers) {
    void ffmpegFound().then((found) => found || log.warn('video is off: ffmpeg was not found (install it, e.g. apt-get install ffmpeg, or set IMGFLO_FFMPEG); .mp4 URLs answer 501 video-unavailable'));
  }

  return {
    url,
    // Stop taking jobs, let those in flight finish, then close the connections.
    close: () => backend.close(new Promise<void>((resolve) => server.close(() => resolve()))),
  };
}
