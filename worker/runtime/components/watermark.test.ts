/** image/watermark on real sharp: placement by gravity and margin, size, opacity, tiling. */
import { describe, expect, it } from 'vitest';
import { boxWhere } from '../../../test/helpers/compare.ts';
import type { RawImage } from '../raw-image.ts';
import { watermark } from './watermark.ts';

const solid = (width: number, height: number, rgba: readonly number[], channels: 3 | 4 = 4): RawImage => {
  const data = Buffer.alloc(width * height * channels);
  for (let i = 0; i < data.length; i += channels) for (let c = 0; c < channels; c++) data[i + c] = rgba[c]!;
  return { data, width, height, channels };
};
const props = (p: Record<string, string | number | boolean> = {}) => ({ gravity: 'southeast', opacity: 1, margin: 0, scale: 0.25, tile: false, ...p });

/** The bounding box of the pixels that differ from the base colour. */
const changed = (img: RawImage, base: readonly number[]) =>
  boxWhere(img.width, img.height, (x, y) => [0, 1, 2].some((c) => img.data[(y * img.width + x) * img.channels + c] !== base[c]));

const grey = [100, 100, 100] as const;
const base = () => solid(200, 100, grey, 3);
const mark = solid(40, 20, [255, 0, 0, 255]);

describe('image/watermark', () => {
  it.each([
    ['northwest', { left: 5, top: 5 }],
    ['north', { left: 75, top: 5 }],
    ['northeast', { left: 145, top: 5 }],
    ['west', { left: 5, top: 37 }],
    ['centre', { left: 75, top: 37 }],
    ['east', { left: 145, top: 37 }],
    ['southwest', { left: 5, top: 70 }],
    ['south', { left: 75, top: 70 }],
    ['southeast', { left: 145, top: 70 }],
  ])('puts the overlay at %s, a margin from the edges, a quarter of the base wide', async (gravity, at) => {
    const out = await watermark({ input: base(), overlay: mark }, props({ gravity, margin: 5 }));
    expect([out.width, out.height, out.channels]).toEqual([200, 100, 3]);
    expect(changed(out, grey)).toEqual({ left: at.left, top: at.top, right: at.left + 49, bottom: at.top + 24, count: 50 * 25 });
  });

  it('keeps the overlay\'s own size with scale=0, and shrinks it to fit inside the base less its margins', async () => {
    expect(changed(await watermark({ input: base(), overlay: mark }, props({ scale: 0 })), grey)).toMatchObject({ left: 160, top: 80, count: 40 * 20 });
    const tall = solid(10, 400, [0, 0, 255, 255]);
    const out = await watermark({ input: base(), overlay: tall }, props({ scale: 1, margin: 10 }));
    expect(changed(out, grey)).toEqual({ left: 188, top: 10, right: 189, bottom: 89, count: 2 * 80 });
  });

  it('blends by opacity: 0 leaves the base as it was, 0.5 halfway', async () => {
    expect(changed(await watermark({ input: base(), overlay: mark }, props({ opacity: 0 })), grey).count).toBe(0);
    const half = await watermark({ input: base(), overlay: mark }, props({ opacity: 0.5, scale: 0 }));
    const i = (99 * 200 + 199) * 3;
    const pixel = [...half.data.subarray(i, i + 3)];
    [178, 50, 50].forEach((expected, c) => expect(Math.abs(pixel[c]! - expected)).toBeLessThanOrEqual(2));
  });

  it('tiles the overlay over the whole base, with margin as the gap', async () => {
    const out = await watermark({ input: base(), overlay: mark }, props({ tile: true, scale: 0, margin: 10 }));
    const box = changed(out, grey);
    expect([box.left, box.top, box.right, box.bottom]).toEqual([0, 0, 189, 99]);
    // Tiles of 40 × 20 every 50 × 30: 4 across (ending at x 189) and 4 down (the last cut at y 99).
    expect(box.count).toBe(4 * 40 * (20 + 20 + 20 + 10));
  });

  it('tiles even when the gap is larger than the base', async () => {
    const out = await watermark({ input: base(), overlay: mark }, props({ tile: true, scale: 0.1, margin: 4096 }));
    expect(changed(out, grey)).toMatchObject({ left: 0, top: 0 });
  });

  it('keeps an alpha channel of the base', async () => {
    const out = await watermark({ input: solid(50, 50, [10, 20, 30, 128]), overlay: mark }, props({ gravity: 'centre' }));
    expect(out.channels).toBe(4);
  });
});
