import { describe, expect, it } from 'vitest';
import { contentTypeOfKey, negotiateType, normalizeExtension, sniffImageType } from './formats.ts';

const bytes = (...parts: Array<string | number[]>) =>
  new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('formats', () => {
  it('knows jpeg as jpg and refuses unknown extensions', () => {
    expect(normalizeExtension('jpeg')).toBe('jpg');
    expect(normalizeExtension('png')).toBe('png');
    expect(normalizeExtension('PNG')).toBeNull();
    expect(normalizeExtension('html')).toBeNull();
  });
  it('sniffs image types from magic numbers, not names', () => {
    expect(sniffImageType(bytes([0xff, 0xd8, 0xff, 0xe0]))).toBe('jpg');
    expect(sniffImageType(bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]))).toBe('png');
    expect(sniffImageType(bytes('GIF89a'))).toBe('gif');
    expect(sniffImageType(bytes('RIFF', [0, 0, 0, 0], 'WEBPVP8 '))).toBe('webp');
    expect(sniffImageType(bytes([0, 0, 0, 28], 'ftypavif'))).toBe('avif');
    expect(sniffImageType(bytes('<html><svg>'))).toBeNull();
    expect(sniffImageType(bytes())).toBeNull();
  });
  it('gives the content type of an object key', () => {
    expect(contentTypeOfKey('p/abc.jpg')).toBe('image/jpeg');
    expect(contentTypeOfKey('p/abc.webp')).toBe('image/webp');
    expect(contentTypeOfKey('p/abc')).toBe('application/octet-stream');
  });
});

describe('auto: Accept with q-values', () => {
  it.each([
    ['image/avif,image/webp,*/*', 'avif'],
    ['image/avif;q=0, image/webp', 'webp'],
    ['image/avif;q=0,image/webp;q=0,*/*', 'jpg'],
    ['image/webp;q=0.9, image/avif;q=0.5', 'webp'],
    ['image/webp;q=0.5, image/avif;q=0.5', 'avif'],
    ['IMAGE/AVIF ; q=1', 'avif'],
    ['image/avif;q=nonsense, image/webp;q=0.1', 'webp'],
    ['image/*, */*', 'jpg'],
    ['text/html,application/xhtml+xml,image/webp;q=0.8', 'webp'],
    ['', 'jpg'],
  ])('%j gets %s', (accept, type) => {
    expect(negotiateType(accept)).toBe(type);
  });

  it('reads a long header in linear time, and only its first 1024 characters', () => {
    const started = performance.now();
    expect(negotiateType('x/y;q=1,'.repeat(100_000) + 'image/avif')).toBe('jpg');
    expect(performance.now() - started).toBeLessThan(100);
  });
});
