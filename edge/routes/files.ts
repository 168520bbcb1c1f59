/** GET /files/<name>: the bundled example images (served from the assets of examples/). */
import { Hono } from 'hono';
import { notFound } from '../../shared/errors.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

export function fileRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  app.get('/:name', async (c) => {
    const name = c.req.param('name');
    if (!NAME.test(name) || !deps.assets) throw notFound();
    const res = await deps.assets.fetch(new Request(new URL(`/${name}`, c.req.url)));
    if (res.status !== 200) throw notFound();
    const headers = new Headers(res.headers);
    headers.set('Cache-Control', 'public, max-age=3600');
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: 200, headers });
  });
  return app;
}
