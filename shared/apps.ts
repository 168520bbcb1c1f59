/**
 * Client applications (SPEC §3.3): a key, one or more secrets (rotation), labels, whether it is
 * enabled or admin, and its monthly processing quota. Stored as JSON under `imgflo:app:<key>`
 * so the edge reads it through Upstash and the CLI writes it through Redis.
 */
import * as v from 'valibot';
import { PresetTableSchema } from './presets.ts';

/** The longest API key: a longer one in a URL is refused before any lookup. */
export const MAX_APP_KEY_LENGTH = 128;

export const AppRecordSchema = v.object({
  key: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_APP_KEY_LENGTH)),
  secrets: v.array(v.pipe(v.string(), v.minLength(1))),
  label: v.string(),
  owner: v.string(),
  enabled: v.boolean(),
  admin: v.boolean(),
  /** null: unlimited; 0: cached results only; N: at most N processed images a calendar month. */
  processingQuota: v.nullable(v.pipe(v.number(), v.integer(), v.minValue(0))),
  /** The input processed instead of one that cannot be fetched or decoded, unless the URL names its own. */
  fallback: v.optional(v.nullable(v.pipe(v.string(), v.maxLength(4096))), null),
  /** The app's own presets by graph and name; they win over the service's of the same name. */
  presets: v.optional(PresetTableSchema, {}),
  createdAt: v.string(),
  updatedAt: v.string(),
});
export type AppRecord = v.InferOutput<typeof AppRecordSchema>;

export const appKey = (key: string) => `imgflo:app:${key}`;
export const APPS_SET = 'imgflo:apps';
export const quotaKey = (key: string, month: string) => `imgflo:quota:${key}:${month}`;

/** The calendar month (UTC) a time falls in, as `YYYY-MM`. */
export const monthOf = (ms: number) => new Date(ms).toISOString().slice(0, 7);

export function decodeApp(json: string | null): AppRecord | null {
  if (json === null) return null;
  try {
    const r = v.safeParse(AppRecordSchema, JSON.parse(json));
    return r.success ? r.output : null;
  } catch {
    return null;
  }
}
