/** GET /graphs and /graphs/<name>: every graph with every inport typed (SPEC §3.6). */
import { Hono } from 'hono';
import { unknownGraph } from '../../shared/errors.ts';
import { describeGraph, type PublicGraph } from '../../shared/graph/catalogue.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';

export function catalogueRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  const described: Record<string, PublicGraph> = {};
  for (const [name, entry] of deps.catalogue) described[name] = describeGraph(entry);

  app.get('/', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.json({ graphs: described });
  });
  app.get('/:name', (c) => {
    const name = c.req.param('name');
    const graph = Object.hasOwn(described, name) ? described[name] : undefined;
    if (!graph) throw unknownGraph(name, deps.catalogue.keys());
    c.header('Cache-Control', 'public, max-age=300');
    return c.json(graph);
  });
  return app;
}
