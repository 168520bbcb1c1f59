/** Info's work in its runtime's pipeline: the description, the BlurHash's colour, the placeholder's size, the limits. */
import { decode as decodeBlurhash, isBlurhashValid } from 'blurhash';
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { ImageInfoSchema, INFO_ENTRY, MAX_LQIP_LENGTH, type ImageInfo } from '../../shared/info.ts';
import { bombPng } from '../../test/helpers/crafted.ts';
import { deltaE, meanLab } from '../../test/helpers/compare.ts';
import { ROOT } from '../../test/helpers/in-process.ts';
import type { ProcessLimits } from '../runtime/task.ts';
import { runTask } from './index.ts';

/** Info's pipeline, as a processing process runs it. */
const describeImage = (input: Uint8Array, l: ProcessLimits) => runTask({ entry: INFO_ENTRY, params: {}, input, outtype: null, limits: l });

const limits = () => ({ maxInputPixels: 50e6, maxFrames: 1000, deadline: Date.now() + 20_000 });
const describeBytes = async (input: Uint8Array, l = limits()): Promise<ImageInfo> => {
  const out = await describeImage(input, l);
  expect(out.contentType).toBe('application/json');
  return v.parse(ImageInfoSchema, JSON.parse(out.body.toString()));
};
const file = (name: string) => sharp(`${ROOT}examples/${name}`).toBuffer();

/** The BlurHash decoded by the library's own decoder, as a PNG. */
async function blurhashImage(hash: string, width: number, height: number): Promise<Buffer> {
  const pixels = decodeBlurhash(hash, width, height);
  return sharp(Buffer.from(pixels), { raw: { width, height, channels: 4 } }).png().toBuffer();
}

describe('describeImage', () => {
  it('describes a JPEG: size, type, and a BlurHash whose colour is the image\'s within ΔE 10', async () => {
    const input = await file('gridbear.jpg');
    const info = await describeBytes(input);
    const meta = await sharp(input).metadata();
    expect(info).toMatchObject({ width: meta.width, height: meta.height, format: 'jpg', frames: 1, hasAlpha: false, orientation: 1 });
    expect(isBlurhashValid(info.blurhash).result).toBe(true);
    const decoded = await blurhashImage(info.blurhash, 32, 32);
    expect(deltaE(await meanLab(decoded), await meanLab(input))).toBeLessThan(10);
  });

  it('makes the placeholder a tiny WebP data URI of the image\'s shape and colour', async () => {
    const input = await file('mountains.png');
    const info = await describeBytes(input);
    expect(info.lqip.length).toBeLessThanOrEqual(MAX_LQIP_LENGTH);
    const webp = Buffer.from(info.lqip.slice('data:image/webp;base64,'.length), 'base64');
    const meta = await sharp(webp).metadata();
    expect(meta.format).toBe('webp');
    expect(Math.max(meta.width!, meta.height!)).toBeLessThanOrEqual(16);
    expect(meta.width! / meta.height!).toBeCloseTo(1440 / 1000, 0);
    const big = await sharp(webp).resize(1440, 1000, { fit: 'fill' }).png().toBuffer();
    expect(deltaE(await meanLab(big), await meanLab(input))).toBeLessThan(10);
  });

  it('keeps the placeholder within 1 KB for the least compressible input (noise)', async () => {
    const noise = await sharp(randomBytes(512 * 512 * 4), { raw: { width: 512, height: 512, channels: 4 } }).png().toBuffer();
    const info = await describeBytes(noise);
    expect(info.hasAlpha).toBe(true);
    expect(info.lqip.length).toBeLessThanOrEqual(MAX_LQIP_LENGTH);
  });

  it('gives the upright size and the EXIF orientation of a turned photo', async () => {
    const turned = await sharp({ create: { width: 40, height: 20, channels: 3, background: '#3060a0' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect(await describeBytes(turned)).toMatchObject({ width: 20, height: 40, orientation: 6 });
  });

  it('counts an animation\'s frames and gives one frame\'s size', async () => {
    const gif = await sharp(`${ROOT}examples/time.gif`, { animated: true }).toBuffer();
    const meta = await sharp(gif).metadata();
    const info = await describeBytes(gif);
    expect(info.frames).toBe(meta.pages);
    expect(info.frames).toBeGreaterThan(1);
    expect([info.format, info.width, info.height]).toEqual(['gif', meta.width, meta.pageHeight ?? meta.height]);
  });

  it('says when an image has alpha, and takes its colours as shown on white', async () => {
    const clear = await sharp({ create: { width: 30, height: 30, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const info = await describeBytes(clear);
    expect([info.hasAlpha, info.dominant]).toEqual([true, '#ffffff']);
  });

  it('describes an SVG after the SVG policy, and refuses one that reaches outside', async () => {
    const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="80" height="40"><rect width="80" height="40" fill="#f00"/></svg>');
    expect(await describeBytes(svg)).toMatchObject({ width: 80, height: 40, format: 'svg', dominant: '#ff0000' });
    const hostile = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="8" height="8"><image xlink:href="http://169.254.169.254/x.png" width="8" height="8"/></svg>');
    await expect(describeImage(hostile, limits())).rejects.toMatchObject({ status: 415 });
  });

  it('checks the pixel limit on the header, before decoding any pixel', async () => {
    const started = Date.now();
    await expect(describeImage(bombPng(30_000, 30_000), limits())).rejects.toMatchObject({ status: 422, reason: 'input-pixels' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('answers 415 for bytes that are no image', async () => {
    await expect(describeImage(Buffer.from('not an image at all'), limits())).rejects.toMatchObject({ status: 415, reason: 'unsupported-input' });
  });
});
