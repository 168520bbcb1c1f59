/**
 * Number syntax scanned character by character: no regular expression, so no input can make
 * it backtrack. `[+-]? (digits [. digits?] | . digits) ([eE] [+-]? digits)?`, nothing else.
 */
const isDigit = (code: number) => code >= 48 && code <= 57;

/** The number `text` spells, or null when it is not exactly a number. */
export function scanNumber(text: string): number | null {
  let i = 0;
  const n = text.length;
  if (text[i] === '+' || text[i] === '-') i++;
  const intStart = i;
  while (i < n && isDigit(text.charCodeAt(i))) i++;
  let digits = i - intStart;
  if (text[i] === '.') {
    i++;
    const fracStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    digits += i - fracStart;
  }
  if (digits === 0) return null;
  if (text[i] === 'e' || text[i] === 'E') {
    i++;
    if (text[i] === '+' || text[i] === '-') i++;
    const expStart = i;
    while (i < n && isDigit(text.charCodeAt(i))) i++;
    if (i === expStart) return null;
  }
  return i === n ? Number(text) : null;
}
