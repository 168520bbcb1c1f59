import { describe, expect, it } from 'vitest';
import { formatProcessingPath, formatQuery, parseProcessingPath, parseQuery, rawPath, rawSearch, redactToken } from './url.ts';

describe('processing URL grammar', () => {
  it('parses the unsigned form', () => {
    expect(parseProcessingPath('/graph/crop.png')).toEqual({
      apikey: null,
      token: null,
      graphspec: 'crop.png',
      graph: 'crop',
      ext: 'png',
    });
  });
  it('parses the signed form, keeping the graphspec exactly as sent', () => {
    expect(parseProcessingPath('/graph/ooShei0queigeeke/45fffba6e0a6f3dfc657e4f4e15ea597/crop')).toEqual({
      apikey: 'ooShei0queigeeke',
      token: '45fffba6e0a6f3dfc657e4f4e15ea597',
      graphspec: 'crop',
      graph: 'crop',
      ext: '',
    });
  });
  it('takes the extension from the last dot', () => {
    expect(parseProcessingPath('/graph/passthrough.jpeg')?.ext).toBe('jpeg');
    expect(parseProcessingPath('/graph/a.b.png')).toBeNull();
  });
  it('refuses two segments, four segments, empty segments and odd names', () => {
    expect(parseProcessingPath('/graph/a/b')).toBeNull();
    expect(parseProcessingPath('/graph/a/b/c/d')).toBeNull();
    expect(parseProcessingPath('/graph/crop/')).toBeNull();
    expect(parseProcessingPath('/graph/')).toBeNull();
    expect(parseProcessingPath('/graph/..%2Fetc')).toBeNull();
    expect(parseProcessingPath('/other/crop')).toBeNull();
  });
  it('keeps the raw query with its ? and distinguishes none from empty', () => {
    expect(rawSearch('http://h/graph/crop?x=1&y=%2F')).toBe('?x=1&y=%2F');
    expect(rawSearch('http://h/graph/crop?')).toBe('?');
    expect(rawSearch('http://h/graph/crop')).toBe('');
    expect(rawPath('http://h:8787/graph/crop.png?x=1')).toBe('/graph/crop.png');
  });
  it('decodes query pairs in order, + as space', () => {
    expect(parseQuery('?input=files%2Fa.jpg&x=1&s=a+b&flag')).toEqual([
      ['input', 'files/a.jpg'],
      ['x', '1'],
      ['s', 'a b'],
      ['flag', ''],
    ]);
  });
  it('answers 422 for bad percent-encoding', () => {
    expect(() => parseQuery('?x=%E0%A4%A')).toThrowError(expect.objectContaining({ status: 422, reason: 'invalid-parameter' }));
  });
  it('round-trips a formatted URL', () => {
    const pairs: Array<[string, string]> = [
      ['input', 'https://example.com/a b.jpg?x=1&y=2'],
      ['color', '#ff0000'],
    ];
    const path = formatProcessingPath({ graph: 'crop', ext: 'png', apikey: 'k', token: 't', search: formatQuery(pairs) });
    const url = 'http://h' + path;
    expect(parseProcessingPath(rawPath(url))).toMatchObject({ graph: 'crop', ext: 'png', apikey: 'k', token: 't' });
    expect(parseQuery(rawSearch(url))).toEqual(pairs);
  });
});

describe('log redaction', () => {
  it('hides the token of a signed URL and nothing else', () => {
    expect(redactToken('/graph/ooShei0queigeeke/45fffba6e0a6f3dfc657e4f4e15ea597/crop?x=1')).toBe('/graph/ooShei0queigeeke/[redacted]/crop?x=1');
    expect(redactToken('/debug/graph/k/tok/crop.png?x=1')).toBe('/debug/graph/k/[redacted]/crop.png?x=1');
    expect(redactToken('/graph/crop?input=files%2Fa.jpg')).toBe('/graph/crop?input=files%2Fa.jpg');
    expect(redactToken('/info/k/xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE?input=files%2Fa.jpg')).toBe('/info/k/[redacted]?input=files%2Fa.jpg');
    expect(redactToken('/info/k/45fffba6e0a6f3dfc657e4f4e15ea597')).toBe('/info/k/[redacted]');
    expect(redactToken('/info?input=files%2Fa.jpg')).toBe('/info?input=files%2Fa.jpg');
  });
});
