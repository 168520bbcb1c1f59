/**
 * GET | POST | HEAD /info[/<apikey>/<token>]?input=<input>  — the input's description as JSON
 * (shared/info.ts): signed over the graphspec `info`, then a job like any processing request.
 */
import { Hono } from 'hono';
import { notFound } from '../../shared/errors.ts';
import { INFO_ENTRY } from '../../shared/info.ts';
import { parseInfoPath, parseQuery, rawPath, rawSearch } from '../../shared/url.ts';
import { authenticate } from '../auth.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';
import type { JobAnswer } from '../job.ts';

export function infoRoutes(deps: EdgeDeps, answer: JobAnswer) {
  const app = new Hono<AppEnv>();

  app.on(['GET', 'POST', 'HEAD'], '/*', async (c) => {
    const path = parseInfoPath(rawPath(c.req.url));
    if (!path) throw notFound();
    const search = rawSearch(c.req.url);
    const { authRequired, legacyTokens } = deps.config;
    const client = await authenticate(path, search, { authRequired, legacyTokens, findApp: deps.findApp });
    return answer(c, { entry: INFO_ENTRY, ext: '', pairs: parseQuery(search), client });
  });
  return app;
}
