/** GET /version and GET /health (edge liveness, and whether the index and the bridge answer). */
import { Hono } from 'hono';
import type { AppEnv, EdgeDeps } from '../context.ts';

async function check(probe: () => Promise<unknown>): Promise<'ok' | 'unavailable'> {
  try {
    await probe();
    return 'ok';
  } catch {
    return 'unavailable';
  }
}

export function metaRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  app.get('/version', (c) => c.json({ name: deps.pkg.name, version: deps.pkg.version, commit: deps.config.commit }));
  app.get('/health', async (c) => {
    const [index, bridge] = await Promise.all([
      check(() => deps.index.get('0'.repeat(40))),
      check(async () => {
        const res = await fetch(`${deps.config.bridge.url}/health`, { signal: AbortSignal.timeout(2000) });
        if (!res.ok) throw new Error(String(res.status));
      }),
    ]);
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, index, bridge }, index === 'ok' && bridge === 'ok' ? 200 : 503);
  });
  return app;
}
