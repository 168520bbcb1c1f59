/** The bridge's HTTP side: POST /jobs from the edge (bearer token), health and metrics. */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import * as v from 'valibot';
import { ImgfloError, internal, isImgfloError } from '../../shared/errors.ts';
import { JobRequestSchema } from '../../shared/job.ts';
import type { Logger } from '../log.ts';
import type { Metrics } from '../metrics.ts';
import type { Bridge } from './bridge.ts';

export interface BridgeAppDeps {
  bridge: Bridge;
  bridgeToken: string;
  metrics: Metrics;
  log: Logger;
}

export function createBridgeApp(deps: BridgeAppDeps): Hono {
  const app = new Hono();

  app.post('/jobs', bearerAuth({ token: deps.bridgeToken }), async (c) => {
    const parsed = v.safeParse(JobRequestSchema, await c.req.json().catch(() => null));
    if (!parsed.success) {
      throw new ImgfloError(400, 'internal', 'Invalid job request');
    }
    const req = parsed.output;
    const started = Date.now();
    try {
      const { status, objectKey } = await deps.bridge.submit(req);
      deps.metrics.jobRequests.inc({ urgency: req.urgency, status, reason: '' });
      deps.log.info({ requestId: req.requestId, key: req.key, graph: req.graph, urgency: req.urgency, status, ms: Date.now() - started }, 'job request');
      return c.json({ objectKey }, status);
    } catch (e) {
      const err = isImgfloError(e) ? e : internal(req.requestId);
      if (!isImgfloError(e)) deps.log.error({ err: e, requestId: req.requestId }, 'submit failed');
      deps.metrics.jobRequests.inc({ urgency: req.urgency, status: err.status, reason: err.reason });
      deps.log.info({ requestId: req.requestId, key: req.key, graph: req.graph, urgency: req.urgency, status: err.status, reason: err.reason, ms: Date.now() - started }, 'job request');
      throw err;
    }
  });

  app.get('/health', (c) => c.json({ ok: true, inFlight: deps.bridge.inFlight }));

  app.get('/metrics', async (c) => {
    c.header('Content-Type', deps.metrics.registry.contentType);
    return c.body(await deps.metrics.registry.metrics());
  });

  app.onError((e, c) => {
    if (isImgfloError(e)) {
      const retryAfter = e.extra.retryAfter;
      if (typeof retryAfter === 'number') c.header('Retry-After', String(retryAfter));
      return c.json(e.toBody(), e.status as 400);
    }
    if ('getResponse' in e && typeof e.getResponse === 'function') return e.getResponse() as Response;
    const requestId = crypto.randomUUID();
    deps.log.error({ err: e, requestId }, 'bridge error');
    return c.json(internal(requestId).toBody(), 500);
  });

  app.notFound((c) => c.json({ error: 'Not found', code: 404, reason: 'not-found' }, 404));
  return app;
}
