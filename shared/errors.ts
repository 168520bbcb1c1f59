/**
 * The one error type of the service (SPEC §3.2). It carries the HTTP status, a machine reason,
 * a public message and whether a retry can help; `extra` holds the documented extra fields of
 * the JSON body. Nothing secret, no file-system path and no graph wiring may go into it.
 */
import { didYouMean } from './suggest.ts';

export type ErrorReason =
  | 'forbidden'
  | 'not-found'
  | 'unknown-graph'
  | 'query-too-long'
  | 'processing-timeout'
  | 'not-cached'
  | 'input-too-large'
  | 'unsupported-input'
  | 'video-unavailable'
  | 'size-limit'
  | 'input-pixels'
  | 'invalid-parameter'
  | 'quota-exceeded'
  | 'rate-limited'
  | 'unsupported-type'
  | 'unknown-parameter'
  | 'unavailable'
  | 'timeout'
  | 'input-fetch-failed'
  | 'internal';

export type ErrorExtra = Record<string, string | number | boolean | string[] | null>;

export interface ErrorBody extends ErrorExtra {
  error: string;
  code: number;
  reason: ErrorReason;
}

export class ImgfloError extends Error {
  override readonly name = 'ImgfloError';
  constructor(
    readonly status: number,
    readonly reason: ErrorReason,
    message: string,
    readonly extra: ErrorExtra = {},
    readonly retryable = false,
  ) {
    super(message);
  }

  toBody(): ErrorBody {
    return { error: this.message, code: this.status, reason: this.reason, ...this.extra };
  }

  /** The same error with more fields in its body. */
  with(extra: ErrorExtra): ImgfloError {
    return new ImgfloError(this.status, this.reason, this.message, { ...this.extra, ...extra }, this.retryable);
  }

  /** Rebuilds an error from a body that crossed a process boundary. */
  static fromBody(body: ErrorBody, retryable = false): ImgfloError {
    const { error, code, reason, ...extra } = body;
    return new ImgfloError(code, reason, error, extra, retryable);
  }

  /** The error as the cache index remembers a failure (CacheIndex.rememberFailure), and back. */
  toRemembered(): string {
    return JSON.stringify(this.toBody());
  }

  static fromRemembered(text: string): ImgfloError {
    return ImgfloError.fromBody(JSON.parse(text) as ErrorBody);
  }
}

export const isImgfloError = (e: unknown): e is ImgfloError => e instanceof ImgfloError;

/**
 * A failure of an image inport other than `input` (`overlay`, ...), named in its body as
 * `"inport"`: a fallback stands in for `input` only. Other errors pass unchanged.
 */
export const ofInport = <T>(inport: string, work: Promise<T>): Promise<T> =>
  work.catch((e: unknown) => Promise.reject(isImgfloError(e) ? e.with({ inport }) : e));

export const forbidden = () => new ImgfloError(403, 'forbidden', 'Forbidden');
export const notFound = () => new ImgfloError(404, 'not-found', 'Not found');
/** An unknown graph, with the nearest known name where one is near (`known`: the catalogue's). */
export const unknownGraph = (graph: string, known: Iterable<string> = []) =>
  new ImgfloError(404, 'unknown-graph', `Unknown graph: ${graph}${didYouMean(graph, known)}`, { graph });
export const notCached = () => new ImgfloError(404, 'not-cached', 'Result is not cached');
export const inputTooLarge = (limit: number) =>
  new ImgfloError(413, 'input-too-large', `Input is larger than ${limit} bytes`, { limit });
export const unsupportedInput = (detail: string) =>
  new ImgfloError(415, 'unsupported-input', `Input is not a supported image: ${detail}`);
export const sizeLimit = (limitMegapixels: number) =>
  new ImgfloError(
    422,
    'size-limit',
    `Requested width x height is over the limit of ${limitMegapixels} megapixels`,
    { limit: limitMegapixels },
  );
export const inputPixels = (limit: number) =>
  new ImgfloError(422, 'input-pixels', `Input has more than ${limit} pixels`, { limit });
export const tooManyFrames = (limit: number) =>
  new ImgfloError(422, 'input-pixels', `Input has more than ${limit} frames`, { limit });
export const outputTooLarge = (limit: number) =>
  new ImgfloError(422, 'size-limit', `The result would have more than ${limit} pixels`, { limit });
export const processingTimeout = (limitMs?: number) =>
  new ImgfloError(422, 'processing-timeout', `Processing took longer than ${limitMs === undefined ? 'its deadline' : `${limitMs} ms`}`, limitMs === undefined ? {} : { limit: limitMs });
export const queryTooLong = (limit: number) =>
  new ImgfloError(414, 'query-too-long', `The query is longer than ${limit} characters`, { limit });
export const invalidParameter = (parameter: string, detail: string) =>
  new ImgfloError(422, 'invalid-parameter', `Invalid value for ${parameter}: ${detail}`, {
    parameter,
  });
export const quotaExceeded = () =>
  new ImgfloError(429, 'quota-exceeded', 'Monthly processing quota exceeded');
export const rateLimited = (retryAfterSeconds: number) =>
  new ImgfloError(429, 'rate-limited', 'Too many requests', { retryAfter: retryAfterSeconds });
export const unsupportedType = (type: string, supported: string[]) =>
  new ImgfloError(449, 'unsupported-type', `Unsupported output type: ${type}`, { supported });
export const unknownParameter = (unknown: string[], inports: string[]) =>
  new ImgfloError(449, 'unknown-parameter', `Unknown parameter: ${unknown.map((n) => `${n}${didYouMean(n, inports)}`).join(', ')}`, {
    unknown,
    inports,
  });
export const unavailable = (detail = 'Backend unavailable', retryAfterSeconds = 5) =>
  new ImgfloError(503, 'unavailable', detail, { retryAfter: retryAfterSeconds }, true);
export const timeout = (retryAfterSeconds = 5) =>
  new ImgfloError(
    503,
    'timeout',
    'The job did not finish in time; it keeps running, retry later',
    { retryAfter: retryAfterSeconds },
    true,
  );
export const inputFetchFailed = (input: string, detail: string) =>
  new ImgfloError(504, 'input-fetch-failed', `Failed to fetch input ${input}: ${detail}`, {
    input,
  });
export const internal = (requestId: string) =>
  new ImgfloError(500, 'internal', 'Internal error', { requestId });
