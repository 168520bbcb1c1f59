/**
 * Builds processing URLs, signed or not — in the browser and in Node alike (Web Crypto only).
 * The edge serves it built as a browser ES module at /client.js:
 *
 *   import { imgfloUrl, imgfloSrcset } from 'https://img.example.com/client.js';
 *   await imgfloUrl({ server: 'https://img.example.com', graph: 'crop', params: { input: 'files/a.jpg', x: 10 },
 *                     key: 'my-key', secret: 'my-secret' });
 *   await imgfloSrcset({ graph: 'resize', params: { input: 'files/a.jpg', width: 400, height: 300 } }, [400, 800]);
 *   await imgfloDensitySrcset({ graph: 'resize', params: { input: 'files/a.jpg', width: 400 } }, [1, 2]);
 *   imgfloSizes([['(max-width: 600px)', '100vw']], '600px');   // '(max-width: 600px) 100vw, 600px'
 *   await (await fetch(await imgfloInfoUrl({ server: 'https://img.example.com', params: { input: 'files/a.jpg' } }))).json();
 */
import { tokenV1, tokenV2 } from './tokens.ts';
import { formatInfoPath, formatProcessingPath, formatQuery, INFO_SPEC } from './url.ts';

export interface UrlOptions {
  /** The service's origin, e.g. https://img.example.com; '' for a relative URL. */
  server?: string;
  graph: string;
  /** Output type: jpg, png, webp, avif, gif or auto; none for the graph's default. */
  ext?: string;
  /** Parameters in the order they should appear (input, width, graph inports, ...). */
  params?: Record<string, string | number | boolean> | ReadonlyArray<readonly [string, string | number | boolean]>;
  key?: string;
  secret?: string;
  /** v2 (HMAC-SHA256, default) or v1 (the original MD5 token). */
  version?: 'v1' | 'v2';
  /** Unix seconds after which the URL is refused. */
  expires?: number;
}

/** The query and the token over it (null unsigned), as the edge checks them for a graphspec. */
async function signed(o: Omit<UrlOptions, 'graph'>, graphspec: string): Promise<{ search: string; token: string | null }> {
  const entries = Array.isArray(o.params) ? [...o.params] : Object.entries(o.params ?? {});
  const pairs: Array<[string, string]> = entries.map(([k, v]) => [k, String(v)]);
  if (o.expires !== undefined) pairs.push(['_exp', String(Math.floor(o.expires))]);
  const search = formatQuery(pairs);
  if (!o.key || !o.secret) return { search, token: null };
  return { search, token: o.version === 'v1' ? tokenV1(o.secret, graphspec, search) : await tokenV2(o.secret, graphspec, search) };
}

const origin = (server: string | undefined) => (server ?? '').replace(/\/+$/, '');

export async function imgfloUrl(o: UrlOptions): Promise<string> {
  const { search, token } = await signed(o, o.ext ? `${o.graph}.${o.ext}` : o.graph);
  return `${origin(o.server)}${formatProcessingPath({ graph: o.graph, ext: o.ext, apikey: o.key ?? null, token, search })}`;
}

/** The `/info` URL of an input (its size, type, dominant colour, BlurHash and placeholder as JSON). */
export async function imgfloInfoUrl(o: Omit<UrlOptions, 'graph' | 'ext'>): Promise<string> {
  const { search, token } = await signed(o, INFO_SPEC);
  return `${origin(o.server)}${formatInfoPath({ apikey: o.key ?? null, token, search })}`;
}

/**
 * An `<img srcset>` value: the same URL at each width (w descriptors), with a given height
 * scaled to keep the aspect ratio, each signed on its own.
 */
export async function imgfloSrcset(o: UrlOptions, widths: readonly number[]): Promise<string> {
  const entries = Array.isArray(o.params) ? [...o.params] : Object.entries(o.params ?? {});
  const width = Number(entries.find(([k]) => k === 'width')?.[1]);
  const urls = widths.map((w) => {
    const scaled = entries.filter(([k]) => k !== 'width' && k !== 'height');
    const height = entries.find(([k]) => k === 'height');
    scaled.push(['width', w]);
    if (height && width > 0) scaled.push(['height', Math.max(1, Math.round((Number(height[1]) * w) / width))]);
    return imgfloUrl({ ...o, params: scaled }).then((url) => `${url} ${w}w`);
  });
  return (await Promise.all(urls)).join(', ');
}

/**
 * An `<img srcset>` value of pixel densities (x descriptors): the same URL with `dpr` at each
 * density, so the service multiplies the width and height it is given.
 */
export async function imgfloDensitySrcset(o: UrlOptions, densities: readonly number[] = [1, 2]): Promise<string> {
  const entries = (Array.isArray(o.params) ? [...o.params] : Object.entries(o.params ?? {})).filter(([k]) => k !== 'dpr');
  const urls = densities.map((d) =>
    imgfloUrl({ ...o, params: d === 1 ? entries : [...entries, ['dpr', d]] }).then((url) => `${url} ${d}x`),
  );
  return (await Promise.all(urls)).join(', ');
}

/** An `<img sizes>` value: each media condition with the slot width it gives, then the default. */
export function imgfloSizes(rules: ReadonlyArray<readonly [media: string, size: string]>, otherwise: string): string {
  return [...rules.map(([media, size]) => `${media} ${size}`), otherwise].join(', ');
}
