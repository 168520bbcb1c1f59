/**
 * GET /version and GET /health (edge liveness, whether the index answers, and whether the bridge
 * answers and takes this edge's token).
 */
import { Hono } from 'hono';
import type { AppEnv, EdgeDeps } from '../context.ts';

type Health = 'ok' | 'unavailable' | 'token-refused';

class TokenRefused extends Error {}

async function check(probe: () => Promise<unknown>): Promise<Health> {
  try {
    await probe();
    return 'ok';
  } catch (e) {
    return e instanceof TokenRefused ? 'token-refused' : 'unavailable';
  }
}

export function metaRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  app.get('/version', (c) => c.json({ name: deps.pkg.name, version: deps.pkg.version, commit: deps.config.commit }));
  app.get('/health', async (c) => {
    const [index, bridge] = await Promise.all([
      check(() => deps.index.get('0'.repeat(40))),
      check(async () => {
        const { url, token } = deps.config.bridge;
        const res = await fetch(`${url}/jobs`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(2000) });
        if (res.status === 401) throw new TokenRefused();
        if (!res.ok) throw new Error(String(res.status));
      }),
    ]);
    c.header('Cache-Control', 'no-store');
    return c.json({ ok: true, index, bridge }, index === 'ok' && bridge === 'ok' ? 200 : 503);
  });
  return app;
}
