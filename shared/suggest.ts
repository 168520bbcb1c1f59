/** "Did you mean …?": the known name nearest a mistyped one, when it is near enough to be meant. */
import { distance } from 'fastest-levenshtein';

/** The candidate within two edits (one for names of up to three letters), or null. */
export function nearest(name: string, candidates: Iterable<string>): string | null {
  const most = name.length <= 3 ? 1 : 2;
  let best: string | null = null;
  let bestDistance = most + 1;
  for (const c of candidates) {
    const d = distance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [c, d];
  }
  return best;
}

/** ` (did you mean X?)`, or nothing. */
export const didYouMean = (name: string, candidates: Iterable<string>): string => {
  const n = nearest(name, candidates);
  return n === null || n === name ? '' : ` (did you mean ${n}?)`;
};
