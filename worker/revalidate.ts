/**
 * Revalidation (IMGFLO_SOURCE_MAX_AGE): whether any source of a stored result is no longer the
 * version it was made from. A URL is asked conditionally (its ETag and Last-Modified), a
 * `files/` input compared by its bytes, a chained `graph/...` input revalidated as a result of
 * its own: it changed when its current object is another than the one read. A source that
 * cannot be checked (its server down, say) counts as unchanged: the result in use stays.
 */
import { inputKind } from '../shared/input-ref.ts';
import type { SourceVersion } from '../shared/ports.ts';
import type { SourceChecker } from './inputs/read-input.ts';

export interface RevalidationDeps {
  checkSource: SourceChecker;
  /** The object key of a chained input's current result, revalidated first. */
  chainedResult: (input: string) => Promise<string>;
  onUncheckable: (input: string, error: unknown) => void;
}

export async function sourcesChanged(sources: readonly SourceVersion[], deps: RevalidationDeps): Promise<boolean> {
  const changed = await Promise.all(
    sources.map(async (source) => {
      try {
        if (inputKind(source.input).kind === 'chained') return (await deps.chainedResult(source.input)) !== source.digest;
        return await deps.checkSource(source);
      } catch (e) {
        deps.onUncheckable(source.input, e);
        return false;
      }
    }),
  );
  return changed.includes(true);
}
