/**
 * The processing URL grammar of SPEC §3.1:
 *   /graph[/<apikey>/<token>]/<graph>[.<ext>][?<query>]
 * `graphspec` is the last path segment exactly as sent; `search` is the raw query string with
 * its leading `?` (or '' without one). Both are what tokens are computed over.
 */
import { invalidParameter } from './errors.ts';

export interface ProcessingPath {
  apikey: string | null;
  token: string | null;
  graphspec: string;
  graph: string;
  /** The extension as written, without the dot; '' when there is none. */
  ext: string;
}

const GRAPH_NAME = /^[A-Za-z0-9_][A-Za-z0-9_-]*$/;

/** Splits `/graph/...` into its parts; null when the path is not of that shape. */
export function parseProcessingPath(pathname: string, prefix = '/graph/'): ProcessingPath | null {
  if (!pathname.startsWith(prefix)) return null;
  const segments = pathname.slice(prefix.length).split('/');
  if (segments.length !== 1 && segments.length !== 3) return null;
  if (segments.some((s) => s === '')) return null;
  const graphspec = segments[segments.length - 1]!;
  const dot = graphspec.lastIndexOf('.');
  const graph = dot > 0 ? graphspec.slice(0, dot) : graphspec;
  const ext = dot > 0 ? graphspec.slice(dot + 1) : '';
  if (!GRAPH_NAME.test(graph)) return null;
  return {
    apikey: segments.length === 3 ? decodeSegment(segments[0]!) : null,
    token: segments.length === 3 ? segments[1]! : null,
    graphspec,
    graph,
    ext,
  };
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The raw query of a request URL, with its `?`, exactly as sent ('' when there is none). */
export function rawSearch(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return '';
  const hash = url.indexOf('#', q);
  return hash < 0 ? url.slice(q) : url.slice(q, hash);
}

/** The raw path of a request URL (before `?`), without scheme and host. */
export function rawPath(url: string): string {
  const start = url.indexOf('/', url.indexOf('://') + 3);
  const q = url.indexOf('?');
  if (start < 0) return '/';
  return q < 0 ? url.slice(start) : url.slice(start, q);
}

/**
 * Decodes a query string into ordered name/value pairs (`+` is a space, as HTML forms and the
 * original's querystring decoder have it). Bad percent-encoding is a 422.
 */
export function parseQuery(search: string): Array<[string, string]> {
  const body = search.startsWith('?') ? search.slice(1) : search;
  const pairs: Array<[string, string]> = [];
  for (const piece of body.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    const rawName = eq < 0 ? piece : piece.slice(0, eq);
    const rawValue = eq < 0 ? '' : piece.slice(eq + 1);
    pairs.push([decodeComponent(rawName, rawName), decodeComponent(rawValue, rawName)]);
  }
  return pairs;
}

function decodeComponent(s: string, parameter: string): string {
  try {
    return decodeURIComponent(s.replaceAll('+', ' '));
  } catch {
    throw invalidParameter(parameter.slice(0, 64), 'bad percent-encoding');
  }
}

/** Encodes pairs as a query string with its `?` ('' for none), the inverse of parseQuery. */
export function formatQuery(pairs: ReadonlyArray<readonly [string, string]>): string {
  if (pairs.length === 0) return '';
  return '?' + pairs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
}

/** Builds a processing path; the inverse of parseProcessingPath plus the query. */
export function formatProcessingPath(parts: {
  graph: string;
  ext?: string;
  apikey?: string | null;
  token?: string | null;
  search?: string;
}): string {
  const graphspec = parts.ext ? `${parts.graph}.${parts.ext}` : parts.graph;
  const auth = parts.apikey && parts.token ? `${encodeURIComponent(parts.apikey)}/${parts.token}/` : '';
  return `/graph/${auth}${graphspec}${parts.search ?? ''}`;
}

/** The route of image info, and the graphspec its URLs are signed over (shared/info.ts). */
export const INFO_SPEC = 'info';

/** `/info` or `/info/<apikey>/<token>`, as a processing path whose graphspec is `info`. */
export function parseInfoPath(pathname: string): ProcessingPath | null {
  if (pathname === `/${INFO_SPEC}`) return { apikey: null, token: null, graphspec: INFO_SPEC, graph: INFO_SPEC, ext: '' };
  const signed = parseProcessingPath(`${pathname}/${INFO_SPEC}`, `/${INFO_SPEC}/`);
  return signed?.apikey ? signed : null;
}

/** `/info[/<apikey>/<token>][?<query>]`. */
export function formatInfoPath(parts: { apikey?: string | null; token?: string | null; search?: string }): string {
  const auth = parts.apikey && parts.token ? `/${encodeURIComponent(parts.apikey)}/${parts.token}` : '';
  return `/${INFO_SPEC}${auth}${parts.search ?? ''}`;
}

/**
 * A URL fit for a log line: the token segment of every signed form is hidden —
 * `/graph/<key>/<token>/…`, `/debug/graph/<key>/<token>/…` and `/info/<key>/<token>`.
 */
export function redactToken(pathAndQuery: string): string {
  return pathAndQuery
    .replace(/^(\/(?:debug\/)?graph\/[^/?]+\/)[^/?]+(?=\/)/, '$1[redacted]')
    .replace(/^(\/info\/[^/?]+\/)[^/?]+/, '$1[redacted]');
}
