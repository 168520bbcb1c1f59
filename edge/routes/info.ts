/**
 * GET | POST | HEAD /info[/<apikey>/<token>]?input=<input>  — the input's description as JSON
 * (shared/info.ts): signed over the graphspec `info`, then a job like any processing request.
 */
import { INFO_ENTRY } from '../../shared/info.ts';
import { parseInfoPath, parseQuery } from '../../shared/url.ts';
import { authenticate } from '../auth.ts';
import type { EdgeDeps } from '../context.ts';
import type { JobAnswer } from '../job.ts';
import { jobRoute } from './job-route.ts';

export const infoRoutes = (deps: EdgeDeps, answer: JobAnswer) =>
  jobRoute(
    parseInfoPath,
    async (_c, path, search) => {
      const { authRequired, legacyTokens } = deps.config;
      const client = await authenticate(path, search, { authRequired, legacyTokens, findApp: deps.findApp });
      return { entry: INFO_ENTRY, ext: '', pairs: parseQuery(search), client };
    },
    answer,
  );
