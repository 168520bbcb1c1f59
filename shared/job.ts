/**
 * Messages that cross a process boundary, versioned and validated on receipt:
 * the job request (edge → bridge), the job (bridge → queue → worker) and its result.
 */
import * as v from 'valibot';
import { OUTPUT_TYPES } from './formats.ts';

const PropValueSchema = v.union([v.number(), v.boolean(), v.string()]);
const OutputTypeSchema = v.picklist(OUTPUT_TYPES);

export const JobRequestSchema = v.object({
  v: v.literal(1),
  requestId: v.pipe(v.string(), v.maxLength(128)),
  key: v.pipe(v.string(), v.regex(/^[0-9a-f]{40}$/)),
  graph: v.pipe(v.string(), v.maxLength(128)),
  /** The digest of the graph definition the edge resolved the request against. */
  digest: v.pipe(v.string(), v.regex(/^[0-9a-f]{16}$/)),
  outtype: v.nullable(OutputTypeSchema),
  input: v.nullable(v.pipe(v.string(), v.maxLength(8192))),
  params: v.record(v.string(), PropValueSchema),
  urgency: v.picklist(['urgent', 'background']),
  nocache: v.boolean(),
  /** The app that asked, and its monthly processing quota (null: unlimited). */
  app: v.nullable(v.pipe(v.string(), v.maxLength(128))),
  quota: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** Check the stored result's sources; process again only when one changed (IMGFLO_SOURCE_MAX_AGE). */
  revalidate: v.optional(v.boolean(), false),
});
export type JobRequest = v.InferOutput<typeof JobRequestSchema>;
export type Urgency = JobRequest['urgency'];

export const JobSchema = v.object({
  ...JobRequestSchema.entries,
  id: v.string(),
  createdAt: v.number(),
  deadline: v.number(),
  attempt: v.pipe(v.number(), v.integer(), v.minValue(1)),
});
export type Job = v.InferOutput<typeof JobSchema>;

const TimingsSchema = v.object({
  queue: v.number(),
  fetch: v.number(),
  process: v.number(),
  upload: v.number(),
});
export type Timings = v.InferOutput<typeof TimingsSchema>;

const ErrorBodySchema = v.looseObject({
  error: v.string(),
  code: v.number(),
  reason: v.string(),
});

export const JobResultSchema = v.variant('ok', [
  v.object({
    v: v.literal(1),
    id: v.string(),
    key: v.string(),
    ok: v.literal(true),
    objectKey: v.string(),
    /** True when the result was already stored and nothing was processed. */
    cached: v.boolean(),
    timings: TimingsSchema,
  }),
  v.object({
    v: v.literal(1),
    id: v.string(),
    key: v.string(),
    ok: v.literal(false),
    error: ErrorBodySchema,
    /** Whether a later attempt could succeed (storage or service hiccups). */
    retryable: v.boolean(),
  }),
]);
export type JobResult = v.InferOutput<typeof JobResultSchema>;

/** Parses and validates a message; null when it is not a valid message of that kind. */
export function decode<S extends v.GenericSchema>(schema: S, data: unknown): v.InferOutput<S> | null {
  const r = v.safeParse(schema, data);
  return r.success ? r.output : null;
}
