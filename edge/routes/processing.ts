/**
 * GET | POST | HEAD /graph[/<apikey>/<token>]/<graph>[.<ext>][?<query>]  (SPEC §3.1)
 * parse → graph → token → (debug view) → preset, then the job (edge/job.ts).
 */
import { unknownGraph } from '../../shared/errors.ts';
import { withPreset } from '../../shared/presets.ts';
import { parseProcessingPath, parseQuery, rawPath } from '../../shared/url.ts';
import { authenticate } from '../auth.ts';
import type { EdgeDeps } from '../context.ts';
import type { JobAnswer } from '../job.ts';
import { jobRoute } from './job-route.ts';

/** How old an app's presets may be when a request names a preset: read afresh. */
const PRESET_MAX_AGE_SECONDS = 0;

export const processingRoutes = (deps: EdgeDeps, answer: JobAnswer) =>
  jobRoute(
    parseProcessingPath,
    async (c, path, search) => {
      const pairs = parseQuery(search);
      const entry = deps.catalogue.get(path.graph);
      if (!entry) throw unknownGraph(path.graph, deps.catalogue.keys());
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
      return { entry, ext: path.ext, pairs: withPreset(entry, pairs, client?.presets?.[entry.name]), client };
    },
    answer,
  );
