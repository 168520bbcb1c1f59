/**
 * Answers one processing request once its graph and its client are known: rate limit →
 * parameters → cache key (both kept per distinct request) → index: hit 301 / miss → bridge. The
 * processing URLs and the page's fixed examples both end here.
 */
import type { Context } from 'hono';
import { forbidden, ImgfloError, isImgfloError, notCached, rateLimited, unavailable, type ErrorReason } from '../shared/errors.ts';
import type { GraphEntry } from '../shared/graph/catalogue.ts';
import type { JobRequest } from '../shared/job.ts';
import { jobRequestOf } from '../shared/request.ts';
import { runtimeOf } from '../shared/runtimes/index.ts';
import { boundedCache } from './bounded-cache.ts';
import { bytesAnswer } from './deliver-bytes.ts';
import { bucketReader, colocached, urlReader } from './stored-result.ts';
import type { App } from './config.ts';
import type { AppEnv, EdgeDeps } from './context.ts';
import { appTag } from '../shared/cache-tags.ts';
import { memoized } from './index-memo.ts';
import { clientIdentity } from './rate-limit.ts';
import { memoizedResolver } from './request-memo.ts';

export interface JobAsked {
  entry: GraphEntry;
  /** The extension as written; '' for none. */
  ext: string;
  pairs: ReadonlyArray<readonly [string, string]>;
  /** The authenticated app; null when auth is off, or for the page's own examples. */
  client: App | null;
}

/** How many stored descriptions (about 1 KB each) an isolate keeps. */
const INFO_MEMO_MAX = 2000;

/** A POST with this header set to 1 has a cached result's sources checked (imgflo prewarm --revalidate). */
export const REVALIDATE_HEADER = 'x-imgflo-revalidate';

/** The job that checks a cached result's sources: the service's upkeep, not counted against the app's quota. */
const revalidation = (job: JobRequest): JobRequest => ({ ...job, urgency: 'background', revalidate: true, nocache: false, app: null, quota: null });

/** How long a claimed revalidation holds a result fresh: its job's time to check, then another may. */
const STALE_HOLD_SECONDS = 60;

/** Work that outlives the response: the Workers runtime is told to wait for it (Node has nothing to tell). */
function inBackground(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context outside Workers: the promise runs to its end by itself.
  }
}

/** The failures of the input itself, which a fallback input answers instead. */
const INPUT_FAILURES: ReadonlySet<ErrorReason> = new Set(['input-fetch-failed', 'input-too-large', 'unsupported-input', 'input-pixels']);

/** Answers a request for a job; built once per app, so its memos are shared by every route. */
export type JobAnswer = ReturnType<typeof jobAnswerer>;

export function jobAnswerer(deps: EdgeDeps) {
  const { config } = deps;
  const resolve = memoizedResolver(5000, 4 * 1024 * 1024);

  const locationOf = (objectKey: string) =>
    deps.presign ? deps.presign(objectKey) : Promise.resolve(`${config.publicBaseUrl}/${objectKey}`);

  // IMGFLO_DELIVERY=proxy: the bytes, from the R2 binding or the object's URL, through the colo's cache.
  const readResult = colocached(deps.results ? bucketReader(deps.results) : urlReader(locationOf, deps.fetchResult), deps.resultsCache, (objectKey) => `${config.publicBaseUrl}/${objectKey}`);

  const proxied = async (c: Context<AppEnv>, objectKey: string) => {
    const stored = await readResult(objectKey).catch((e: unknown) => {
      deps.log({ msg: 'stored result unreadable', level: 'warn', requestId: c.get('requestId'), objectKey, error: String(e) });
      return null;
    });
    if (!stored) throw unavailable('Storage unavailable');
    if (c.get('fallbackFor')) {
      c.header('X-Imgflo-Error', c.get('fallbackFor'));
      return bytesAnswer(c, objectKey, stored, 'public, max-age=60');
    }
    // The URL's answer changes with a purge or a changed source: kept as long as a redirect is.
    return bytesAnswer(c, objectKey, stored, `public, max-age=${config.redirectMaxAge}`);
  };

  const redirect = async (c: Context<AppEnv>, objectKey: string) => {
    c.header('Location', await locationOf(objectKey));
    if (c.get('fallbackFor')) {
      // Stands in for an input that may yet appear: temporary, and said why.
      c.header('X-Imgflo-Error', c.get('fallbackFor'));
      c.header('Cache-Control', 'public, max-age=60');
      return c.body(null, 302);
    }
    if (deps.presign) {
      // A presigned URL expires: the redirect to it may be kept only briefly, and privately.
      c.header('Cache-Control', `private, max-age=${Math.min(300, Math.floor((config.presign?.expiresSeconds ?? 600) / 2))}`);
      return c.body(null, 302);
    }
    c.header('Cache-Control', `public, max-age=${config.redirectMaxAge}`);
    return c.body(null, config.redirectStatus);
  };

  // A stored description, kept in the isolate as long as index hits are (a purge shows as late);
  // null when storage does not give it.
  const readInfo = memoized(
    async (objectKey) => {
      const stored = await readResult(objectKey).catch(() => null);
      return stored && new TextDecoder().decode(stored.body);
    },
    { ttlMs: config.memoSeconds * 1000, max: INFO_MEMO_MAX, maxBytes: 4 * 1024 * 1024, now: deps.now },
  );

  /** Info's answer is its JSON itself, read from storage: a script's fetch gets it in one request. */
  const infoBody = async (c: Context<AppEnv>, objectKey: string) => {
    c.header('Cache-Control', `public, max-age=${config.redirectMaxAge}`);
    c.header('Content-Type', 'application/json');
    // HEAD says it is cached (200) without reading it.
    if (c.req.method === 'HEAD') return c.body(null, 200);
    const text = await readInfo(objectKey);
    if (text === null) {
      deps.log({ msg: 'stored info unreadable', level: 'warn', requestId: c.get('requestId'), objectKey });
      throw unavailable('Storage unavailable');
    }
    return c.body(text, 200);
  };

  const deliver = (c: Context<AppEnv>, entry: GraphEntry, objectKey: string) =>
    runtimeOf(entry.compiled).answers === 'json' ? infoBody(c, objectKey) : config.delivery === 'proxy' ? proxied(c, objectKey) : redirect(c, objectKey);

  const fromIndex = (c: Context<AppEnv>, entry: GraphEntry, objectKey: string) => {
    c.set('hit', true);
    return deliver(c, entry, objectKey);
  };

  // Keys whose freshness this isolate checked lately: a hot URL costs one check per window.
  const checked = config.sourceMaxAge === null ? null : boundedCache<true>({ ttlMs: Math.max(1, config.memoSeconds) * 1000, max: 10_000, maxBytes: 1024 * 1024, now: deps.now });

  /**
   * Stale while revalidating: a hit on a result whose sources were not checked within
   * IMGFLO_SOURCE_MAX_AGE is answered as it is, and one background job (claimed in the index,
   * so one for all edges) checks them; a changed source gives a new result for later requests.
   */
  const revalidateIfStale = (c: Context<AppEnv>, key: string, jobOf: () => JobRequest) => {
    if (!checked || checked.get(key)) return;
    checked.set(key, true);
    const check = (async () => {
      if (await deps.index.claimStale(key, STALE_HOLD_SECONDS)) await deps.bridge(revalidation(jobOf()));
    })().catch((e: unknown) => deps.log({ msg: 'revalidation not queued', level: 'warn', requestId: c.get('requestId'), error: String(e) }));
    inBackground(c, check);
  };

  const lookup = async (key: string, requestId: string): Promise<string | null> => {
    try {
      return await deps.index.get(key);
    } catch (e) {
      deps.log({ msg: 'cache index unavailable, treating as a miss', level: 'warn', requestId, error: String(e) });
      return null;
    }
  };

  const answer = async (c: Context<AppEnv>, { entry, ext, pairs, client }: JobAsked, limited = true): Promise<Response> => {
    const method = c.req.method;
    const requestId = c.get('requestId');
    if (deps.rateLimit && limited) {
      const who = client ? `app:${client.key}` : clientIdentity(config.clientIpHeader, (name) => c.req.header(name));
      const verdict = await deps.rateLimit(who);
      if (!verdict.ok) throw rateLimited(verdict.retryAfterSeconds);
    }
    const { req, key, tags } = await resolve(entry, ext, pairs, { sizeLimitMegapixels: config.sizeLimitMegapixels, accept: c.req.header('accept') });
    // A CDN's copy of this answer is purged with its graph's, its inputs' or its app's results.
    c.header('Cache-Tag', client ? `${tags},${appTag(client.key)}` : tags);
    // The redirect of an `auto` URL depends on the Accept header (through one of three variants).
    if (ext === 'auto') c.header('Vary', 'Accept', { append: true });
    if (req.exp !== null && deps.now() > req.exp * 1000) throw forbidden();
    if (req.nocache && config.authRequired && !client?.admin) throw forbidden();

    // Made only when a job is asked for: a plain hit needs none.
    const jobOf = () =>
      jobRequestOf(req, entry.digest, key, {
        requestId,
        urgency: method === 'GET' ? 'urgent' : 'background',
        app: client?.key ?? null,
        quota: client?.processingQuota ?? null,
      });
    if (method === 'HEAD') {
      const hit = await lookup(key, requestId);
      if (hit) {
        revalidateIfStale(c, key, jobOf);
        return fromIndex(c, entry, hit);
      }
      // A job that failed moments ago says so (the status; GET gives the body): a pre-warm
      // script polling HEAD learns the outcome instead of waiting for a 301 that never comes.
      const failed = await deps.index.failure(key).catch(() => null);
      if (failed) throw ImgfloError.fromRemembered(failed);
      throw notCached();
    }
    if (!req.nocache) {
      const hit = await lookup(key, requestId);
      // `imgflo prewarm --revalidate`: a cached result has its sources checked now (202).
      if (hit && method === 'POST' && c.req.header(REVALIDATE_HEADER) === '1') {
        await deps.bridge(revalidation(jobOf()));
        c.header('Cache-Control', 'no-store');
        return c.json({ queued: true, revalidating: true }, 202);
      }
      if (hit) {
        revalidateIfStale(c, key, jobOf);
        return fromIndex(c, entry, hit);
      }
      // A pre-warm of a key that failed moments ago answers that failure, as GET and HEAD do,
      // instead of a 202 for a job that would fail the same way (pre-warm tools report it).
      if (method === 'POST') {
        const failed = await deps.index.failure(key).catch(() => null);
        if (failed) throw ImgfloError.fromRemembered(failed);
      }
    }
    // An app with a quota of 0 may only have cached results.
    if (client?.processingQuota === 0) throw forbidden();
    const answer = await deps.bridge(jobOf());
    if (answer.status === 202) {
      // The result is named by its bytes once made: until then, this URL is where it will be
      // (HEAD answers 404 not-cached until it is, then the result's own answer).
      const location = c.req.url;
      c.header('Location', location);
      c.header('Cache-Control', 'no-store');
      return c.json({ queued: true, location }, 202);
    }
    return deliver(c, entry, answer.objectKey);
  };

  /**
   * The request's answer; when its input cannot be fetched or decoded and a fallback is named
   * (`fallback=`, else the app's), the answer of the same processing of the fallback, as a 302
   * with `X-Imgflo-Error`. The failure itself is logged, counted and remembered as ever.
   */
  return async (c: Context<AppEnv>, asked: JobAsked): Promise<Response> => {
    try {
      return await answer(c, asked);
    } catch (e) {
      const named = asked.pairs.find(([n]) => n === 'fallback')?.[1];
      // A JSON answer describes the input it names: a fallback's description would be another image's.
      const fallback = runtimeOf(asked.entry.compiled).answers === 'json' ? null : (named ?? asked.client?.fallback ?? null);
      // Only the input's own failure: another image's (`"inport": "overlay"`) would fail the fallback too.
      if (!fallback || !isImgfloError(e) || !INPUT_FAILURES.has(e.reason) || e.extra.inport !== undefined) throw e;
      const requestId = c.get('requestId');
      deps.log({ msg: 'input failed; answering the fallback', level: 'warn', requestId, reason: e.reason });
      const pairs = [...asked.pairs.filter(([n]) => n !== 'input' && n !== 'fallback'), ['input', fallback] as const];
      c.set('fallbackFor', e.reason);
      try {
        // The same request, already counted by the rate limit.
        return await answer(c, { ...asked, pairs }, false);
      } catch (inner) {
        deps.log({ msg: 'the fallback failed too', level: 'warn', requestId, error: String(inner) });
        c.set('fallbackFor', undefined);
        throw e;
      }
    }
  };
}
