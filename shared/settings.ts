/**
 * Settings that the edge and the backend both read, declared once (valibot entries spread into
 * each side's schema), so that a value one side accepts the other accepts too.
 */
import * as v from 'valibot';

const number = (def: string, min: number) => v.pipe(v.optional(v.string(), def), v.transform(Number), v.number(), v.minValue(min));
const integer = (def: string, min: number) => v.pipe(v.optional(v.string(), def), v.transform(Number), v.number(), v.integer(), v.minValue(min));

export const SHARED_SETTINGS = {
  /** Megapixels allowed for width × height (the original's rule). */
  IMGFLO_SIZE_LIMIT: number('25', 0.01),
  /**
   * Seconds a browser or CDN may keep a redirect to a result: the edge's max-age, and how long
   * the workers keep a purged or replaced result readable before removing it.
   */
  IMGFLO_REDIRECT_MAX_AGE: v.pipe(integer('3600', 0), v.maxValue(31_536_000)),
  /**
   * Seconds after which a result's sources are checked again on its next request (stale while
   * revalidating); unset: never (the original's behaviour).
   */
  IMGFLO_SOURCE_MAX_AGE: v.optional(v.pipe(v.string(), v.transform(Number), v.number(), v.integer(), v.minValue(1), v.maxValue(31_536_000))),
  /** How long a GET waits for its job. */
  IMGFLO_JOB_TIMEOUT_MS: integer('25000', 100),
  /** How long a GET waits for a video job (`.mp4`): the video queue's own deadline. */
  IMGFLO_VIDEO_JOB_TIMEOUT_MS: integer('90000', 100),
  IMGFLO_S3_ENDPOINT: v.optional(v.pipe(v.string(), v.url(), v.regex(/^https?:\/\//, 'must be an http(s) URL'))),
  /** S3 bucket names are 3 to 63 characters. */
  IMGFLO_S3_BUCKET: v.optional(v.pipe(v.string(), v.minLength(3), v.maxLength(63))),
  IMGFLO_S3_REGION: v.optional(v.string(), 'us-east-1'),
  IMGFLO_S3_FORCE_PATH_STYLE: v.optional(v.picklist(['0', '1', 'true', 'false'])),
  AWS_ACCESS_KEY_ID: v.optional(v.pipe(v.string(), v.minLength(1))),
  AWS_SECRET_ACCESS_KEY: v.optional(v.pipe(v.string(), v.minLength(1))),
};
