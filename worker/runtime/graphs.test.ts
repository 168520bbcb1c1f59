/**
 * Graphs of the original catalogue with no reference output: tests that pin what they do.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { resolveRequest } from '../../shared/request.ts';
import { parseQuery } from '../../shared/url.ts';
import { loadCatalogue } from '../catalogue.ts';
import { runTask } from '../runtimes/index.ts';

let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue(new URL('../../graphs', import.meta.url).pathname);
});

async function run(graph: string, query: string, input: Buffer): Promise<{ data: Buffer; width: number; height: number; channels: number }> {
  const entry = catalogue.get(graph)!;
  const req = resolveRequest(entry, 'png', parseQuery(`?input=files%2Fx.png${query}`), { sizeLimitMegapixels: 25 });
  const out = await runTask({ entry, params: req.params, input, outtype: 'png', limits: { maxInputPixels: 1e8, maxFrames: 10, deadline: Date.now() + 60_000 } });
  const { data, info } = await sharp(out.body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

const px = (img: { data: Buffer; width: number; channels: number }, x: number, y: number) => img.data[(y * img.width + x) * img.channels]!;

/** A black image with a white dot in the middle. */
const dot = () =>
  sharp({ create: { width: 61, height: 61, channels: 3, background: '#000' } })
    .composite([{ input: { create: { width: 1, height: 1, channels: 3, background: '#fff' } }, left: 30, top: 30 }])
    .png()
    .toBuffer();

/** Grey with noise: a flat area that is not flat. */
async function noisy(): Promise<Buffer> {
  const data = Buffer.alloc(64 * 64 * 3);
  let s = 1;
  for (let i = 0; i < data.length; i += 3) {
    s = (s * 1103515245 + 12345) >>> 0;
    data[i] = data[i + 1] = data[i + 2] = 128 + ((s >>> 16) % 41) - 20;
  }
  return sharp(data, { raw: { width: 64, height: 64, channels: 3 } }).png().toBuffer();
}

const stdev = (img: { data: Buffer; channels: number }) => {
  const v: number[] = [];
  for (let i = 0; i < img.data.length; i += img.channels) v.push(img.data[i]!);
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length);
};

describe('motionblur', () => {
  it('smears a dot along the angle and not across it', async () => {
    const flat = await run('motionblur', '&length=20&angle=0&contrast=1', await dot());
    expect(px(flat, 38, 30)).toBeGreaterThan(20);
    expect(px(flat, 30, 38)).toBeLessThan(5);
    const upright = await run('motionblur', '&length=20&angle=90&contrast=1', await dot());
    expect(px(upright, 30, 38)).toBeGreaterThan(20);
    expect(px(upright, 38, 30)).toBeLessThan(5);
  });
  it('screens the blur onto the original: nothing gets darker', async () => {
    const input = await noisy();
    const out = await run('motionblur', '', input);
    const { data } = await sharp(input).raw().toBuffer({ resolveWithObject: true });
    let darker = 0;
    for (let i = 0; i < data.length; i += 3) if (out.data[i]! < data[i]! - 1) darker++;
    expect(darker).toBe(0);
  });
});

describe('halodarken', () => {
  it('darkens flat areas and keeps the edges lighter (a halo)', async () => {
    const edge = await sharp({ create: { width: 80, height: 40, channels: 3, background: '#808080' } })
      .composite([{ input: { create: { width: 40, height: 40, channels: 3, background: '#c0c0c0' } }, left: 40, top: 0 }])
      .png()
      .toBuffer();
    const out = await run('halodarken', '&edgeblur-x=3&edgeblur-y=3', edge);
    expect(px(out, 5, 20)).toBeLessThan(128);
    expect(px(out, 40, 20)).toBeGreaterThan(px(out, 5, 20) + 20);
  });
});

describe('enhancelowres', () => {
  it('smooths noise away, the same way every time', async () => {
    const input = await noisy();
    const a = await run('enhancelowres', '', input);
    const b = await run('enhancelowres', '', input);
    expect(Buffer.compare(a.data, b.data)).toBe(0);
    const before = stdev(await sharp(input).raw().toBuffer({ resolveWithObject: true }).then(({ data, info }) => ({ data, channels: info.channels })));
    expect(stdev(a)).toBeLessThan(before * 0.75);
  });
  it('runs more iterations for a smoother result', async () => {
    const input = await noisy();
    expect(stdev(await run('enhancelowres', '&iterations=12', input))).toBeLessThan(stdev(await run('enhancelowres', '&iterations=1', input)));
  });
});

describe('generative graphs', () => {
  it('draws the same triangles for the same seed and others for another', async () => {
    const entry = catalogue.get('delaunay_triangles')!;
    const make = async (seed: string) => {
      const req = resolveRequest(entry, 'png', parseQuery(`?seed=${seed}&width=120&height=80`), { sizeLimitMegapixels: 25 });
      return (await runTask({ entry, params: req.params, input: null, outtype: 'png', limits: { maxInputPixels: 1e8, maxFrames: 10, deadline: Date.now() + 60_000 } })).body;
    };
    const a = await make('foobar');
    expect(await sharp(a).metadata()).toMatchObject({ width: 120, height: 80, format: 'png' });
    expect(Buffer.compare(a, await make('foobar'))).toBe(0);
    expect(Buffer.compare(a, await make('other'))).not.toBe(0);
  });
});

describe('desaturate (c2g, STRESS)', () => {
  const flat = (colour: string) => sharp({ create: { width: 24, height: 24, channels: 3, background: colour } }).png().toBuffer();
  /** Dark on the left, light on the right. */
  const halves = () =>
    sharp({ create: { width: 40, height: 20, channels: 3, background: '#202020' } })
      .composite([{ input: { create: { width: 20, height: 20, channels: 3, background: '#d0d0d0' } }, left: 20, top: 0 }])
      .png()
      .toBuffer();

  it('grades each pixel against its surroundings, not by its colour alone', async () => {
    // A flat image has no contrast: any colour becomes the middle of its (empty) envelope.
    const [red, blue] = [await run('desaturate', '&grainsize=10', await flat('#e00000')), await run('desaturate', '&grainsize=10', await flat('#0000a0'))];
    expect(px(red, 12, 12)).toBe(px(blue, 12, 12));
    expect(Math.abs(px(red, 12, 12) - 188)).toBeLessThanOrEqual(1);
    const grey = [await run('customgrey', '', await flat('#e00000')), await run('customgrey', '', await flat('#0000a0'))];
    expect(Math.abs(px(grey[0]!, 12, 12) - px(grey[1]!, 12, 12))).toBeGreaterThan(30);
    // Next to light, dark is the bottom of its envelope; next to dark, light is the top.
    const edge = await run('desaturate', '&grainsize=30', await halves());
    expect(px(edge, 18, 10)).toBeLessThan(px(edge, 2, 10) - 40);
    expect(px(edge, 21, 10)).toBeGreaterThan(px(edge, 37, 10) + 20);
  });

  it('gives one URL the same bytes every time', async () => {
    const input = await halves();
    expect(Buffer.compare((await run('desaturate', '', input)).data, (await run('desaturate', '', input)).data)).toBe(0);
  });

  it('finishes on an image far smaller than its radius, even a transparent one', async () => {
    // Unbounded redraws made this take minutes; it must finish within the test's timeout.
    const strip = await sharp({ create: { width: 20, height: 1, channels: 4, background: { r: 0, g: 0, b: 0, alpha: 0 } } }).png().toBuffer();
    const out = await run('desaturate', '&grainsize=3000&samples=1000', strip);
    expect([out.width, out.height]).toEqual([20, 1]);
  });

  it('refuses work over its bound before doing any', async () => {
    const entry = catalogue.get('desaturate')!;
    const req = resolveRequest(entry, 'png', parseQuery('?input=files%2Fx.png&samples=1000&grainsize=300'), { sizeLimitMegapixels: 25 });
    const big = await sharp({ create: { width: 2000, height: 2000, channels: 3, background: '#888' } }).png().toBuffer();
    const started = Date.now();
    await expect(runTask({ entry, params: req.params, input: big, outtype: 'png', limits: { maxInputPixels: 1e8, maxFrames: 10, deadline: Date.now() + 60_000 } })).rejects.toMatchObject({ status: 422, reason: 'size-limit' });
    expect(Date.now() - started).toBeLessThan(2000);
  });
});

describe('watermark through the processing pipeline', () => {
  const base = () => sharp({ create: { width: 400, height: 200, channels: 3, background: '#808080' } }).png().toBuffer();
  /** A 24 × 12 SVG: red on the left half, blue on the right. */
  const halves = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="24" height="12"><rect width="12" height="12" fill="#f00"/><rect x="12" width="12" height="12" fill="#00f"/></svg>');
  const mark = async (overlay: Buffer, query: string) => {
    const entry = catalogue.get('watermark')!;
    const req = resolveRequest(entry, 'png', parseQuery(`?input=files%2Fx.png&overlay=files%2Fy.svg${query}`), { sizeLimitMegapixels: 25 });
    const out = await runTask({ entry, params: req.params, input: await base(), outtype: 'png', limits: { maxInputPixels: 1e8, maxFrames: 10, deadline: Date.now() + 60_000 }, images: { overlay } });
    return sharp(out.body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  };

  it('rasterises an SVG overlay at the size it is used: an edge stays sharp when a small logo is scaled up', async () => {
    const { data, info } = await mark(halves, '&scale=0.5&gravity=centre');
    expect([info.width, info.height]).toEqual([400, 200]);
    // The overlay is 200 × 100 from x 100; along its middle row, count what is neither red nor blue.
    const row = 100;
    let blended = 0;
    for (let x = 100; x < 300; x++) {
      const [r, g, b] = [0, 1, 2].map((c) => data[(row * info.width + x) * 3 + c]!);
      const red = r! > 240 && g! < 15 && b! < 15;
      const blue = b! > 240 && r! < 15 && g! < 15;
      if (!red && !blue) blended++;
    }
    expect(blended).toBeLessThanOrEqual(2);
  });

  it('keeps a raster overlay\'s own pixels, and an SVG its own size when nothing scales it up', async () => {
    const png = await sharp(halves).png().toBuffer();
    const { data, info } = await mark(png, '&scale=0&gravity=northwest');
    const at = (x: number) => [0, 1, 2].map((c) => data[(5 * info.width + x) * 3 + c]);
    expect([at(5), at(18), at(30)]).toEqual([[255, 0, 0], [0, 0, 255], [128, 128, 128]]);
  });
});
