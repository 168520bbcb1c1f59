/**
 * GET | POST | HEAD /graph[/<apikey>/<token>]/<graph>[.<ext>][?<query>]  (SPEC §3.1)
 * parse → graph → token → parameters → cache key → index: hit 301 / miss → bridge.
 */
import { Hono, type Context } from 'hono';
import { cacheKey } from '../../shared/cache-key.ts';
import { forbidden, notCached, notFound, rateLimited, unknownGraph } from '../../shared/errors.ts';
import { jobRequestOf, resolveRequest } from '../../shared/request.ts';
import { parseProcessingPath, parseQuery, rawPath, rawSearch } from '../../shared/url.ts';
import { authenticate } from '../auth.ts';
import type { AppEnv, EdgeDeps } from '../context.ts';

export function processingRoutes(deps: EdgeDeps) {
  const app = new Hono<AppEnv>();
  const { config } = deps;

  const locationOf = (objectKey: string) =>
    deps.presign ? deps.presign(objectKey) : Promise.resolve(`${config.publicBaseUrl}/${objectKey}`);

  const fromIndex = (c: Context<AppEnv>, objectKey: string) => {
    c.set('hit', true);
    return redirect(c, objectKey);
  };

  const redirect = async (c: Context<AppEnv>, objectKey: string) => {
    c.header('Location', await locationOf(objectKey));
    if (deps.presign) {
      // A presigned URL expires: the redirect to it may be kept only briefly, and privately.
      c.header('Cache-Control', `private, max-age=${Math.min(300, Math.floor((config.presign?.expiresSeconds ?? 600) / 2))}`);
      return c.body(null, 302);
    }
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(null, config.redirectStatus);
  };

  const lookup = async (key: string, requestId: string): Promise<string | null> => {
    try {
      return await deps.index.get(key);
    } catch (e) {
      deps.log({ msg: 'cache index unavailable, treating as a miss', level: 'warn', requestId, error: String(e) });
      return null;
    }
  };

  app.on(['GET', 'POST', 'HEAD'], '/*', async (c) => {
    const method = c.req.method;
    const requestId = c.get('requestId');
    const path = parseProcessingPath(rawPath(c.req.url));
    if (!path) throw notFound();
    const search = rawSearch(c.req.url);
    const pairs = parseQuery(search);

    if (method === 'GET' && pairs.some(([name, value]) => name === 'debug' && value !== '')) {
      c.header('Location', `/debug${rawPath(c.req.url)}${search}`);
      return c.body(null, 302);
    }
    const entry = deps.catalogue.get(path.graph);
    if (!entry) throw unknownGraph(path.graph);
    const client = await authenticate(path, search, {
      authRequired: config.authRequired,
      legacyTokens: config.legacyTokens,
      findApp: deps.findApp,
    });
    if (deps.rateLimit) {
      const who = client ? `app:${client.key}` : `ip:${c.req.header('cf-connecting-ip') ?? c.req.header('x-forwarded-for')?.split(',')[0]?.trim() ?? 'unknown'}`;
      const verdict = await deps.rateLimit(who);
      if (!verdict.ok) throw rateLimited(verdict.retryAfterSeconds);
    }
    const req = resolveRequest(entry, path.ext, pairs, { sizeLimitMegapixels: config.sizeLimitMegapixels, accept: c.req.header('accept') });
    // The redirect of an `auto` URL depends on the Accept header (through one of three variants).
    if (path.ext === 'auto') c.header('Vary', 'Accept');
    if (req.exp !== null && deps.now() > req.exp * 1000) throw forbidden();
    if (req.nocache && config.authRequired && !client?.admin) throw forbidden();
    const key = await cacheKey(req, entry.digest);

    if (method === 'HEAD') {
      const hit = await lookup(key, requestId);
      if (!hit) throw notCached();
      return fromIndex(c, hit);
    }
    if (!req.nocache) {
      const hit = await lookup(key, requestId);
      if (hit) return fromIndex(c, hit);
    }
    // An app with a quota of 0 may only have cached results.
    if (client?.processingQuota === 0) throw forbidden();
    const job = jobRequestOf(req, entry.digest, key, {
      requestId,
      urgency: method === 'GET' ? 'urgent' : 'background',
      app: client?.key ?? null,
      quota: client?.processingQuota ?? null,
    });
    const answer = await deps.bridge(job);
    if (answer.status === 202) {
      const location = await locationOf(answer.objectKey);
      c.header('Location', location);
      c.header('Cache-Control', 'no-store');
      return c.json({ queued: true, location }, 202);
    }
    return redirect(c, answer.objectKey);
  });
  return app;
}
