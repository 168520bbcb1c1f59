/**
 * GET / and /debug/graph/...: the page; GET /app.js: its script; GET /client.js: the JS client
 * as a browser ES module (both bundled at build time by scripts/build-edge.ts).
 */
import { Hono, type Context } from 'hono';
import { PAGE_HTML } from '../../page/html.ts';
import { CLIENT_MODULE, PAGE_SCRIPT } from '../assets.generated.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';

const CSP =
  "default-src 'self'; img-src 'self' data: http: https:; media-src 'self' http: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export function pageRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  const html = PAGE_HTML.replace('{{AUTH}}', deps.config.authRequired ? 'required' : 'off');
  const page = (c: Context<AppEnv>) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Referrer-Policy', 'no-referrer');
    c.header('Cache-Control', 'public, max-age=300');
    return c.html(html);
  };
  const script = (body: string) => (c: Context<AppEnv>) => {
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=300');
    // The client may be imported by pages of other origins.
    c.header('Access-Control-Allow-Origin', '*');
    return c.body(body);
  };
  app.get('/', page);
  app.get('/debug/*', page);
  app.get('/app.js', script(PAGE_SCRIPT));
  app.get('/client.js', script(CLIENT_MODULE));
  return app;
}
