/** Forwards a miss to the bridge over HTTP with the bearer token; maps its answers to errors. */
import { ImgfloError, unavailable, type ErrorBody } from '../shared/errors.ts';
import type { JobRequest } from '../shared/job.ts';

/** Processed (200, with the result's object key), or queued in the background (202). */
export type BridgeAnswer = { status: 200; objectKey: string } | { status: 202 };

export type BridgeClient = (job: JobRequest) => Promise<BridgeAnswer>;

/** What an edge logs when the bridge refuses its token: every request then answers 503. */
export const TOKEN_REFUSED = "the bridge refused this edge's token: IMGFLO_BRIDGE_TOKEN differs between the edge and the backend";

export function httpBridgeClient(options: { url: string; token: string; timeoutMs: number; fetch?: typeof fetch; log?: (line: Record<string, unknown>) => void }): BridgeClient {
  const doFetch = options.fetch ?? fetch;
  return async (job) => {
    let res: Response;
    try {
      res = await doFetch(`${options.url}/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${options.token}`, 'content-type': 'application/json', 'x-request-id': job.requestId },
        body: JSON.stringify(job),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch {
      throw unavailable('Backend unavailable');
    }
    if (res.status === 401) {
      await res.body?.cancel();
      options.log?.({ msg: TOKEN_REFUSED, level: 'error', requestId: job.requestId });
      throw unavailable('Backend unavailable');
    }
    const body = (await res.json().catch(() => null)) as (Partial<ErrorBody> & { objectKey?: string }) | null;
    if (res.status === 200 && typeof body?.objectKey === 'string') return { status: 200, objectKey: body.objectKey };
    if (res.status === 202) return { status: 202 };
    if (body && typeof body.code === 'number' && typeof body.reason === 'string' && res.status !== 401 && res.status !== 400) {
      return Promise.reject(ImgfloError.fromBody(body as ErrorBody));
    }
    throw unavailable('Backend unavailable');
  };
}
