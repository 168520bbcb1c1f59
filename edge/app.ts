/** The edge: createApp(deps) mounts the routes; errors become the JSON bodies of SPEC §3.2. */
import { Hono } from 'hono';
import { internal, isImgfloError, notFound, queryTooLong } from '../shared/errors.ts';
import { errorResponse } from '../shared/error-response.ts';
import { MAX_QUERY_LENGTH } from '../shared/reserved.ts';
import { rawPath, rawSearch, redactToken } from '../shared/url.ts';
import type { AppEnv, EdgeDeps } from './context.ts';
import { corsFor } from './cors.ts';
import { jobAnswerer } from './job.ts';
import { catalogueRoutes } from './routes/catalogue.ts';
import { exampleRoutes } from './routes/examples.ts';
import { fileRoutes } from './routes/files.ts';
import { infoRoutes } from './routes/info.ts';
import { metaRoutes } from './routes/meta.ts';
import { pageRoutes } from './routes/page.ts';
import { processingRoutes } from './routes/processing.ts';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

export function createApp(deps: EdgeDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.use('*', async (c, next) => {
    const started = Date.now();
    const given = c.req.header('x-request-id');
    c.set('requestId', given && REQUEST_ID.test(given) ? given : crypto.randomUUID());
    await next();
    c.header('X-Request-Id', c.get('requestId'));
    c.header('X-Content-Type-Options', 'nosniff');
    if (!c.res.headers.has('Content-Security-Policy')) c.header('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
    // One access line per request (hits only with IMGFLO_LOG_HITS); never with a URL's token.
    if (c.get('hit') && !deps.config.logHits) return;
    const url = rawPath(c.req.url) + rawSearch(c.req.url);
    deps.log({ msg: 'request', requestId: c.get('requestId'), method: c.req.method, url: redactToken(url).slice(0, 2048), status: c.res.status, ms: Date.now() - started });
  });

  // Pages may call the JSON routes and load processing URLs from script (fetch, canvas).
  if (deps.config.corsOrigins) {
    const allow = corsFor(deps.config.corsOrigins);
    // Hono's `/x/*` matches `/x` too: one pattern each, so the middleware runs once a request.
    for (const path of ['/graph/*', '/graphs/*', '/info/*']) app.use(path, allow);
  }
  // Bounded before any parsing (and inside CORS, so a page can read the 414): every later step is
  // linear in what is left.
  app.use('*', async (c, next) => {
    if (rawSearch(c.req.url).length > MAX_QUERY_LENGTH) throw queryTooLong(MAX_QUERY_LENGTH);
    await next();
  });

  // One answerer (and one set of memos) for every route that answers with a job.
  const answer = jobAnswerer(deps);
  app.route('/graph', processingRoutes(deps, answer));
  app.route('/graphs', catalogueRoutes(deps));
  app.route('/info', infoRoutes(deps, answer));
  app.route('/examples', exampleRoutes(deps, answer));
  app.route('/files', fileRoutes(deps));
  app.route('/', metaRoutes(deps));
  app.route('/', pageRoutes(deps));

  app.notFound(() => {
    throw notFound();
  });

  app.onError((e, c) => {
    const error = isImgfloError(e) ? e : internal(c.get('requestId'));
    if (!isImgfloError(e)) {
      deps.log({ msg: 'unexpected error', level: 'error', requestId: c.get('requestId'), error: String(e), stack: (e as Error).stack });
    }
    return errorResponse(error, c.get('requestId'));
  });
  return app;
}
