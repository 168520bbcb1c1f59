/**
 * GET | HEAD /examples/<graph>: the graph's fixed example (shared/graph/examples.ts), answered
 * like its processing URL but without a token — the edge vouches for exactly this request and
 * ignores any query, so the page's catalogue shows with auth on and nothing else renders.
 */
import { Hono } from 'hono';
import { unknownGraph } from '../../shared/errors.ts';
import { exampleOf } from '../../shared/graph/examples.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';
import type { JobAnswer } from '../job.ts';

export function exampleRoutes(deps: EdgeDeps, answer: JobAnswer) {
  const app = new Hono<AppEnv>();
  app.on(['GET', 'HEAD'], '/:graph', (c) => {
    const name = c.req.param('graph');
    const entry = deps.catalogue.get(name);
    if (!entry) throw unknownGraph(name, deps.catalogue.keys());
    const example = exampleOf(name, !entry.compiled.generative);
    return answer(c, { entry, ext: example.ext, pairs: example.params, client: null });
  });
  return app;
}
