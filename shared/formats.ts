/** Output types, their content types, and what type a set of bytes is (never trust headers). */
export const IMAGE_TYPES = ['jpg', 'png', 'webp', 'gif', 'avif'] as const;
export type ImageType = (typeof IMAGE_TYPES)[number];

/** Video output types: every frame of the input through the graph (worker/video/). */
export const VIDEO_TYPES = ['mp4'] as const;
export type VideoType = (typeof VIDEO_TYPES)[number];

/** What a URL's extension may name. */
export const OUTPUT_TYPES = [...IMAGE_TYPES, ...VIDEO_TYPES] as const;
export type OutputType = (typeof OUTPUT_TYPES)[number];

export const isVideoType = (t: OutputType | null): t is VideoType => (VIDEO_TYPES as readonly string[]).includes(t ?? '');

/** What processing graphs can write. */
export const PROCESSED_TYPES: readonly ImageType[] = ['jpg', 'png', 'webp', 'avif', 'gif'];

/** Output types that keep an animated input animated. */
export const ANIMATED_TYPES: readonly ImageType[] = ['gif', 'webp'];

/**
 * `auto`: the best type the client accepts, one of a small fixed set (avif, webp, jpg) so that
 * the cache key holds one of three variants and never a raw header.
 */
/**
 * The output of `auto`: AVIF or WebP when the Accept header names it with a q-value above 0
 * (the higher q wins, AVIF on a tie), JPEG otherwise. Wildcards promise nothing: browsers send
 * them whatever they decode. At most the first 1024 characters are read.
 */
export function negotiateType(accept: string | null | undefined): ImageType {
  const q: Partial<Record<'image/avif' | 'image/webp', number>> = {};
  for (const part of (accept ?? '').slice(0, 1024).toLowerCase().split(',')) {
    const [type = '', ...params] = part.split(';').map((p) => p.trim());
    if (type !== 'image/avif' && type !== 'image/webp') continue;
    const weight = params.find((p) => p.startsWith('q='));
    const value = weight === undefined ? 1 : Number(weight.slice(2));
    q[type] = Math.max(q[type] ?? 0, Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0);
  }
  const avif = q['image/avif'] ?? 0;
  const webp = q['image/webp'] ?? 0;
  if (avif > 0 && avif >= webp) return 'avif';
  if (webp > 0) return 'webp';
  return 'jpg';
}

export const CONTENT_TYPES: Record<OutputType, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
  avif: 'image/avif',
  mp4: 'video/mp4',
};

/** `jpeg` is another spelling of `jpg`; anything else unknown is null. */
export function normalizeExtension(ext: string): OutputType | null {
  if (ext === 'jpeg') return 'jpg';
  return (OUTPUT_TYPES as readonly string[]).includes(ext) ? (ext as OutputType) : null;
}

export function contentTypeOfKey(objectKey: string): string {
  const ext = objectKey.slice(objectKey.lastIndexOf('.') + 1);
  const type = normalizeExtension(ext);
  return type ? CONTENT_TYPES[type] : 'application/octet-stream';
}

const startsWith = (b: Uint8Array, sig: number[], offset = 0) =>
  b.length >= offset + sig.length && sig.every((v, i) => b[offset + i] === v);

const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

/** The media type of some bytes, from their magic numbers: an image, or MP4/QuickTime; null for anything else. */
export function sniffType(b: Uint8Array): OutputType | null {
  const image = sniffImageType(b);
  if (image !== null) return image;
  // An ISO media file (MP4, QuickTime): `ftyp` after the box size, with a brand other than AVIF's.
  if (startsWith(b, ascii('ftyp'), 4)) return 'mp4';
  return null;
}

/** The image type of some bytes, from their magic numbers; null when it is not a known image. */
export function sniffImageType(b: Uint8Array): ImageType | null {
  if (startsWith(b, [0xff, 0xd8, 0xff])) return 'jpg';
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(b, ascii('GIF87a')) || startsWith(b, ascii('GIF89a'))) return 'gif';
  if (startsWith(b, ascii('RIFF')) && startsWith(b, ascii('WEBP'), 8)) return 'webp';
  if (startsWith(b, ascii('ftyp'), 4) && (startsWith(b, ascii('avif'), 8) || startsWith(b, ascii('avis'), 8))) {
    return 'avif';
  }
  return null;
}
