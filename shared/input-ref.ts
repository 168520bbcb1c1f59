/**
 * An image reference, as `input` and every other image inport (`overlay`, ...) take it:
 * `files/<name>`, an http(s) URL (normalised by the URL parser, fragment dropped), or a chained
 * `graph/...` URL of this service within the chain depth. The fetch policy applies when a
 * worker reads it (worker/inputs/).
 */
import { checkChainDepth, isChained } from './chain.ts';
import { inputFetchFailed, invalidParameter } from './errors.ts';
import { MAX_INPUT_LENGTH } from './reserved.ts';

const EXAMPLE_FILE = /^files\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/;

/** What a reference (as jobs hold it) names: a bundled example file, a result of this service, or a URL. */
export type InputKind = { kind: 'file'; name: string } | { kind: 'chained' } | { kind: 'url' };

/** The kind of a reference, decided here alone (for the edge, the worker and the page). */
export function inputKind(ref: string): InputKind {
  const file = EXAMPLE_FILE.exec(ref)?.[1];
  if (file !== undefined) return { kind: 'file', name: file };
  return isChained(ref) ? { kind: 'chained' } : { kind: 'url' };
}

/** The name of a bundled example file a reference names (`files/<name>`); null for any other reference. */
export const exampleFileName = (ref: string): string | null => {
  const kind = inputKind(ref);
  return kind.kind === 'file' ? kind.name : null;
};

/** The reference as jobs, cache keys and lineage hold it; `name` is the parameter's, for errors. */
export function resolveImageRef(name: string, raw: string | undefined): string {
  // Another image inport's failure names it (shared/errors.ts ofInport).
  const fetchFailed = (why: string) => (name === 'input' ? inputFetchFailed(raw!, why) : inputFetchFailed(raw!, why).with({ inport: name }));
  if (raw === undefined || raw === '') throw invalidParameter(name, 'an input image is required');
  if (raw.length > MAX_INPUT_LENGTH) throw invalidParameter(name, `longer than ${MAX_INPUT_LENGTH} characters`);
  const value = raw.startsWith('/') ? raw.slice(1) : raw;
  const { kind } = inputKind(value);
  if (kind === 'file') return value;
  if (kind === 'chained') {
    checkChainDepth(value, name);
    return value;
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // A bare file name is most often a bundled example written without its folder.
    const hint = /^[A-Za-z0-9_][A-Za-z0-9_.-]*\.[A-Za-z0-9]+$/.test(value) ? ` (did you mean files/${value}?)` : '';
    throw fetchFailed(`not an http(s) URL, files/<name> or graph/... URL${hint}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw fetchFailed(`scheme ${url.protocol} is not allowed`);
  }
  url.hash = '';
  return url.href;
}
