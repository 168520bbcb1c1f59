import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { fromSharp, type RawImage } from '../raw-image.ts';
import { crop } from './crop.ts';
import { gaussianBlur } from './gaussian-blur.ts';

const solid = (width: number, height: number, rgb: [number, number, number]) =>
  fromSharp(sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }));

const px = (img: RawImage, x: number, y: number) => [...img.data.subarray((y * img.width + x) * img.channels, (y * img.width + x + 1) * img.channels)];

describe('crop', () => {
  it('cuts the rectangle out and keeps RGB inside the image', async () => {
    const src = await fromSharp(sharp({ create: { width: 20, height: 10, channels: 3, background: '#000' } }).composite([{ input: { create: { width: 5, height: 5, channels: 3, background: '#f00' } }, left: 10, top: 2 }]).removeAlpha());
    const out = await crop({ input: src }, { x: 10, y: 2, width: 5, height: 5 });
    expect([out.width, out.height, out.channels]).toEqual([5, 5, 3]);
    expect(px(out, 0, 0)).toEqual([255, 0, 0]);
    expect(px(out, 4, 4)).toEqual([255, 0, 0]);
  });
  it('makes the area beyond the image transparent', async () => {
    const out = await crop({ input: await solid(10, 10, [0, 0, 255]) }, { x: -5, y: 5, width: 10, height: 10 });
    expect([out.width, out.height, out.channels]).toEqual([10, 10, 4]);
    expect(px(out, 0, 0)).toEqual([0, 0, 0, 0]);
    expect(px(out, 5, 0)).toEqual([0, 0, 255, 255]);
    expect(px(out, 5, 5)).toEqual([0, 0, 0, 0]);
  });
});

describe('gaussian blur', () => {
  it('leaves a uniform image unchanged, edges included (clamp)', async () => {
    const out = await gaussianBlur({ input: await solid(40, 30, [200, 100, 50]) }, { 'std-dev-x': 5, 'std-dev-y': 5, 'abyss-policy': 'clamp' });
    for (const [x, y] of [[0, 0], [39, 29], [20, 15]] as const) {
      px(out, x, y).forEach((v, i) => expect(Math.abs(v - [200, 100, 50][i]!)).toBeLessThanOrEqual(1));
    }
  });
  it('blurs only along x when std-dev-y is 0', async () => {
    const stripes = await fromSharp(sharp({ create: { width: 40, height: 40, channels: 3, background: '#000' } }).composite([{ input: { create: { width: 40, height: 1, channels: 3, background: '#fff' } }, left: 0, top: 20 }, { input: { create: { width: 1, height: 40, channels: 3, background: '#fff' } }, left: 20, top: 0 }]).removeAlpha());
    const out = await gaussianBlur({ input: stripes }, { 'std-dev-x': 3, 'std-dev-y': 0, 'abyss-policy': 'clamp' });
    expect(px(out, 5, 20)).toEqual([255, 255, 255]);
    expect(px(out, 5, 19)[0]).toBeLessThanOrEqual(3);
    expect(px(out, 22, 5)[0]).toBeGreaterThan(50);
    expect(px(out, 20, 5)[0]).toBeLessThan(255);
  });
  it('darkens edges towards black with the black abyss policy', async () => {
    const out = await gaussianBlur({ input: await solid(40, 40, [255, 255, 255]) }, { 'std-dev-x': 4, 'std-dev-y': 4, 'abyss-policy': 'black' });
    expect(px(out, 0, 20)[0]).toBeLessThan(230);
    expect(px(out, 20, 20)[0]).toBeGreaterThanOrEqual(254);
  });
  it('blurs in linear light: a black/white edge is brighter than the gamma-space average', async () => {
    const half = await fromSharp(sharp({ create: { width: 40, height: 4, channels: 3, background: '#000' } }).composite([{ input: { create: { width: 20, height: 4, channels: 3, background: '#fff' } }, left: 20, top: 0 }]).removeAlpha());
    const out = await gaussianBlur({ input: half }, { 'std-dev-x': 6, 'std-dev-y': 0, 'abyss-policy': 'clamp' });
    // The 50 % mix of black and white is 188 in sRGB when mixed in linear light (128 in gamma space).
    expect(Math.abs(px(out, 19, 2)[0]! - 188)).toBeLessThan(25);
  });
});
