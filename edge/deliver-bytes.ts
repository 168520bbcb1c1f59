/**
 * A result answered with its bytes (IMGFLO_DELIVERY=proxy): one request per image instead of a
 * redirect and a second request. The object key ends in a digest of the bytes, so it is a strong
 * ETag; `If-None-Match` answers 304, one `Range: bytes=...` answers 206 (416 when it cannot be
 * met), and HEAD answers the headers alone.
 */
import type { Context } from 'hono';
import type { AppEnv } from './context.ts';
import type { StoredResult } from './stored-result.ts';

/** The strong ETag of an object: the digest its key ends with. */
export const etagOf = (objectKey: string) => `"${objectKey.slice(objectKey.lastIndexOf('/') + 1).split('.')[0]}"`;

/** Whether `If-None-Match` names this ETag (or is `*`); weak forms compare as equal (RFC 9110 §13.1.2). */
function matches(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch.trim() === '*') return true;
  return ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag);
}

/** One range of `Range: bytes=a-b | a- | -n` within `size`; 'unsatisfiable'; null to send it all (none, or several). */
export function rangeOf(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = header ? /^bytes=(\d*)-(\d*)$/.exec(header.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** The answer for a stored result, its cache headers given by the caller. */
export function bytesAnswer(c: Context<AppEnv>, objectKey: string, stored: StoredResult, cacheControl: string): Response {
  const etag = etagOf(objectKey);
  c.header('ETag', etag);
  c.header('Cache-Control', cacheControl);
  c.header('Accept-Ranges', 'bytes');
  if (matches(c.req.header('if-none-match'), etag)) return c.body(null, 304);
  const size = stored.body.byteLength;
  c.header('Content-Type', stored.contentType);
  const range = rangeOf(c.req.header('range'), size);
  if (range === 'unsatisfiable') {
    c.header('Content-Range', `bytes */${size}`);
    return c.body(null, 416);
  }
  const [status, body] = range ? [206 as const, stored.body.slice(range.start, range.end + 1)] : [200 as const, stored.body];
  if (range) c.header('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
  c.header('Content-Length', String(body.byteLength));
  if (c.req.method === 'HEAD') return c.body(null, status);
  return c.body(body, status);
}
