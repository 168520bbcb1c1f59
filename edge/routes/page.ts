/** GET / and /debug/graph/...: the page; GET /app.js: its script. No build step. */
import { Hono, type Context } from 'hono';
import type { AppEnv, EdgeDeps } from '../context.ts';
import { PAGE_HTML } from '../page/html.ts';
import { PAGE_SCRIPT } from '../page/script.ts';

const CSP =
  "default-src 'self'; img-src 'self' data: blob: http: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self' http: https:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

export function pageRoutes(_deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  const page = (c: Context<AppEnv>) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'public, max-age=300');
    return c.html(PAGE_HTML);
  };
  app.get('/', page);
  app.get('/debug/*', page);
  app.get('/app.js', (c) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(PAGE_SCRIPT);
  });
  return app;
}
