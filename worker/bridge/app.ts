/**
 * The bridge's HTTP side: POST /jobs from the edge (bearer token); HEAD /jobs answers whether an
 * edge's token is this bridge's (204, else 401), for the edge's /health.
 */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
import { HTTPException } from 'hono/http-exception';
import * as v from 'valibot';
import { errorResponse } from '../../shared/error-response.ts';
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

  const auth = bearerAuth({ token: deps.bridgeToken });
  app.get('/jobs', auth, (c) => c.body(null, 204));
  app.post('/jobs', auth, async (c) => {
    const parsed = v.safeParse(JobRequestSchema, await c.req.json().catch(() => null));
    if (!parsed.success) {
      throw new ImgfloError(400, 'internal', 'Invalid job request');
    }
    const req = parsed.output;
    const started = Date.now();
    try {
      const submitted = await deps.bridge.submit(req);
      const { status } = submitted;
      deps.metrics.jobRequests.inc({ urgency: req.urgency, status, reason: '' });
      deps.log.info({ requestId: req.requestId, key: req.key, graph: req.graph, urgency: req.urgency, status, ms: Date.now() - started }, 'job request');
      return status === 200 ? c.json({ objectKey: submitted.objectKey }, 200) : c.json({ queued: true }, 202);
    } catch (e) {
      const err = isImgfloError(e) ? e : internal(req.requestId);
      if (!isImgfloError(e)) deps.log.error({ err: e, requestId: req.requestId }, 'submit failed');
      deps.metrics.jobRequests.inc({ urgency: req.urgency, status: err.status, reason: err.reason });
      deps.log.info({ requestId: req.requestId, key: req.key, graph: req.graph, urgency: req.urgency, status: err.status, reason: err.reason, ms: Date.now() - started }, 'job request');
      throw err;
    }
  });

  // A refused token is logged, once a minute at most: an edge with another token sends many.
  let refusalLogged = 0;
  app.onError((e, c) => {
    if (isImgfloError(e)) return errorResponse(e);
    if (e instanceof HTTPException && e.status === 401 && Date.now() - refusalLogged > 60_000) {
      refusalLogged = Date.now();
      deps.log.warn({ path: c.req.path }, 'a request with a token that is not IMGFLO_BRIDGE_TOKEN was refused (an edge with another token?)');
    }
    if ('getResponse' in e && typeof e.getResponse === 'function') return e.getResponse() as Response;
    const requestId = crypto.randomUUID();
    deps.log.error({ err: e, requestId }, 'bridge error');
    return errorResponse(internal(requestId), requestId);
  });
  return app;
}
