/**
 * GET / and /debug/graph/...: the page. For now a plain catalogue listing; the interactive
 * builder replaces it.
 */
import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import type { AppEnv, EdgeDeps } from '../context.ts';

export function pageRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  const names = [...deps.catalogue.keys()];
  const page = () =>
    html`<!doctype html>
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>imgflo</title>
        </head>
        <body>
          <h1>imgflo</h1>
          <p>Image processing graphs. Catalogue with typed parameters: <a href="/graphs">/graphs</a>.</p>
          <ul>
            ${names.map((n) => html`<li><a href="/graphs/${n}">${n}</a></li>`)}
          </ul>
        </body>
      </html>`;
  const CSP = "default-src 'self'; img-src 'self' data: blob: http: https:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";
  const serve = (c: Context<AppEnv>) => {
    c.header('Content-Security-Policy', CSP);
    c.header('Referrer-Policy', 'no-referrer');
    return c.html(page());
  };
  app.get('/', serve);
  app.get('/debug/*', serve);
  return app;
}
