/**
 * Chained inputs: an `input` that is itself a processing URL of this service, written relative
 * (`graph/<graph>[.<ext>]?<query>`). It is resolved inside the service (index, object store, or
 * a job of the same request), never by HTTP to the service's own origin. At most
 * MAX_CHAIN_DEPTH levels of nesting.
 */
import { invalidParameter } from './errors.ts';
import { parseProcessingPath, parseQuery, rawSearch, type ProcessingPath } from './url.ts';

export const MAX_CHAIN_DEPTH = 3;

export interface ChainedRequest {
  path: ProcessingPath;
  pairs: Array<[string, string]>;
}

export const isChained = (input: string) => input.startsWith('graph/');

/** The processing URL a chained input names. */
export function parseChained(input: string): ChainedRequest {
  const q = input.indexOf('?');
  const path = parseProcessingPath(`/${q < 0 ? input : input.slice(0, q)}`);
  if (!path) throw invalidParameter('input', 'not a graph/<graph>?<query> URL');
  return { path, pairs: parseQuery(rawSearch(input)) };
}

/**
 * Refuses a chain nested deeper than MAX_CHAIN_DEPTH, before anything of it is processed,
 * counting through every parameter that names a chained URL (`input`, `overlay`, `fallback`,
 * ...): the depth is the URL's own, whatever of it is cached. `name` is the outer parameter's.
 */
export function checkChainDepth(input: string, name = 'input'): void {
  const walk = (ref: string, depth: number): void => {
    if (depth >= MAX_CHAIN_DEPTH) throw invalidParameter(name, `chained more than ${MAX_CHAIN_DEPTH} levels deep`);
    for (const [, value] of parseChained(ref).pairs) {
      const inner = value.startsWith('/') ? value.slice(1) : value;
      if (isChained(inner)) walk(inner, depth + 1);
    }
  };
  walk(input, 0);
}
