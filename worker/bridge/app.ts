/** The bridge's HTTP side: POST /jobs from the edge (bearer token). */
import { Hono } from 'hono';
import { bearerAuth } from 'hono/bearer-auth';
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

  app.post('/jobs', bearerAuth({ token: deps.bridgeToken }), async (c) => {
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

  app.onError((e, c) => {
    if (isImgfloError(e)) return errorResponse(e);
    if ('getResponse' in e && typeof e.getResponse === 'function') return e.getResponse() as Response;
    const requestId = crypto.randomUUID();
    deps.log.error({ err: e, requestId }, 'bridge error');
    return errorResponse(internal(requestId), requestId);
  });
  return app;
}
