/**
 * A route whose requests are jobs (/graph/..., /info): GET, POST and HEAD; a path it does not
 * parse is 404; what the request asks is then answered as a job (edge/job.ts), unless the route
 * answers it itself (a Response).
 */
import { Hono, type Context } from 'hono';
import { notFound } from '../../shared/errors.ts';
import { rawPath, rawSearch } from '../../shared/url.ts';
import type { AppEnv } from '../context.ts';
import type { JobAnswer, JobAsked } from '../job.ts';

export function jobRoute<P>(
  parse: (path: string) => P | null,
  asked: (c: Context<AppEnv>, path: P, search: string) => Promise<JobAsked | Response>,
  answer: JobAnswer,
) {
  const app = new Hono<AppEnv>();
  app.on(['GET', 'POST', 'HEAD'], '/*', async (c) => {
    const path = parse(rawPath(c.req.url));
    if (!path) throw notFound();
    const job = await asked(c, path, rawSearch(c.req.url));
    return job instanceof Response ? job : answer(c, job);
  });
  return app;
}
