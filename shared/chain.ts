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

/** Refuses a chain nested deeper than MAX_CHAIN_DEPTH, before anything of it is processed. */
export function checkChainDepth(input: string): void {
  let current: string | undefined = input;
  for (let depth = 0; current !== undefined && isChained(current); depth++) {
    if (depth >= MAX_CHAIN_DEPTH) throw invalidParameter('input', `chained more than ${MAX_CHAIN_DEPTH} levels deep`);
    current = parseChained(current).pairs.find(([name]) => name === 'input')?.[1];
  }
}
