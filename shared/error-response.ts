/**
 * The one rendering of an error as HTTP (SPEC §3.2), for the edge and the backend alike: the
 * JSON body, `Retry-After` when the error says when to retry, never cached, never sniffed.
 */
import type { ImgfloError } from './errors.ts';

export function errorResponse(error: ImgfloError, requestId?: string): Response {
  const headers = new Headers({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
  if (requestId) headers.set('X-Request-Id', requestId);
  const retryAfter = error.extra.retryAfter;
  if (typeof retryAfter === 'number') headers.set('Retry-After', String(retryAfter));
  return new Response(JSON.stringify(error.toBody()), { status: error.status, headers });
}
