import { describe, expect, it } from 'vitest';
import { contentTypeOfKey, normalizeExtension, sniffImageType } from './formats.ts';

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
