/**
 * CORS for the JSON routes and processing URLs (IMGFLO_CORS_ORIGINS). The headers are prepared
 * before the handler, so the response it makes carries them; an error's response, made anew by
 * app.onError, gets them after. hono/cors instead writes them into a placeholder response made
 * before the handler, which cost a third of a memoised hit's time, measured in process.
 * Preflights answer 204 with a fixed list of allowed request headers (never an echo of what
 * was asked).
 */
import type { MiddlewareHandler } from 'hono';

const METHODS = 'GET,HEAD,POST';
/** The request headers a page may send beyond the safelisted ones: the service reads no other. */
const ALLOWED_HEADERS = 'Accept,Content-Type,X-Request-Id';
const EXPOSED = 'Location,Retry-After,X-Request-Id,X-Imgflo-Error,ETag,Content-Range';
const PREFLIGHT_MAX_AGE = '86400';

/** Adds `value` to a Vary header once. */
function vary(headers: Headers, value: string): void {
  const current = headers.get('vary');
  if (!current) headers.set('Vary', value);
  else if (!current.split(',').some((v) => v.trim().toLowerCase() === value.toLowerCase())) headers.set('Vary', `${current}, ${value}`);
}

export function corsFor(origins: '*' | readonly string[]): MiddlewareHandler {
  const allowed = origins === '*' ? null : new Set(origins);
  const allowOrigin = (origin: string | undefined) => (allowed === null ? '*' : origin && allowed.has(origin) ? origin : null);
  return async (c, next) => {
    const origin = allowOrigin(c.req.header('origin'));
    if (c.req.method === 'OPTIONS') {
      const headers = new Headers({ 'Access-Control-Allow-Methods': METHODS, 'Access-Control-Allow-Headers': ALLOWED_HEADERS, 'Access-Control-Max-Age': PREFLIGHT_MAX_AGE });
      if (origin) headers.set('Access-Control-Allow-Origin', origin);
      if (allowed) headers.set('Vary', 'Origin');
      return new Response(null, { status: 204, headers });
    }
    if (origin) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Access-Control-Expose-Headers', EXPOSED);
    }
    if (allowed) c.header('Vary', 'Origin', { append: true });
    await next();
    // An error's response is made anew (app.onError): it gets them here, once.
    if (c.error) {
      if (origin) {
        c.res.headers.set('Access-Control-Allow-Origin', origin);
        c.res.headers.set('Access-Control-Expose-Headers', EXPOSED);
      }
      if (allowed) vary(c.res.headers, 'Origin');
    }
  };
}
