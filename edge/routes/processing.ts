/**
 * GET | POST | HEAD /graph[/<apikey>/<token>]/<graph>[.<ext>][?<query>]  (SPEC §3.1)
 * parse → graph → token → (debug view) → preset, then the job (edge/job.ts).
 */
import { Hono } from 'hono';
import { notFound, unknownGraph } from '../../shared/errors.ts';
import { withPreset } from '../../shared/presets.ts';
import { parseProcessingPath, parseQuery, rawPath, rawSearch } from '../../shared/url.ts';
import { authenticate } from '../auth.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';
import type { JobAnswer } from '../job.ts';

/** How old an app's presets may be when a request names a preset: read afresh. */
const PRESET_MAX_AGE_SECONDS = 0;

export function processingRoutes(deps: EdgeDeps, answer: JobAnswer) {
  const app = new Hono<AppEnv>();

  app.on(['GET', 'POST', 'HEAD'], '/*', async (c) => {
    const path = parseProcessingPath(rawPath(c.req.url));
    if (!path) throw notFound();
    const search = rawSearch(c.req.url);
    const pairs = parseQuery(search);
    const entry = deps.catalogue.get(path.graph);
    if (!entry) throw unknownGraph(path.graph);
    const client = await authenticate(path, search, {
      authRequired: deps.config.authRequired,
      legacyTokens: deps.config.legacyTokens,
      // A preset changed in the registry applies from the next request, not after the app
      // cache's 30 s: a request naming a preset costs one registry read.
      findApp: pairs.some(([n]) => n === 'preset') ? (key) => deps.findApp(key, PRESET_MAX_AGE_SECONDS) : deps.findApp,
    });
    // The page's view of the URL, for whoever may use it: after the graph and the token.
    if (c.req.method === 'GET' && pairs.some(([name, value]) => name === 'debug' && value !== '')) {
      c.header('Location', `/debug${rawPath(c.req.url)}${search}`);
      return c.body(null, 302);
    }
    const expanded = withPreset(entry, pairs, client?.presets?.[entry.name]);
    return answer(c, { entry, ext: path.ext, pairs: expanded, client });
  });
  return app;
}
