/** resize, thumbnail, output formats, animation, orientation, colour profiles, quality. */
import { readFileSync } from 'node:fs';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageType } from '../../shared/formats.ts';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { resolveRequest } from '../../shared/request.ts';
import { parseQuery } from '../../shared/url.ts';
import { loadCatalogue } from '../catalogue.ts';
import { runTask } from '../runtimes/index.ts';

const root = new URL('../../', import.meta.url).pathname;
const file = (name: string) => readFileSync(`${root}examples/${name}`);
let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await loadCatalogue(`${root}graphs`);
});

async function run(graph: string, ext: ImageType, query: string, input: Buffer, maxFrames = 500) {
  const entry = catalogue.get(graph)!;
  const req = resolveRequest(entry, ext, parseQuery(`?input=files%2Fx${query}`), { sizeLimitMegapixels: 25 });
  const out = await runTask({ entry, params: req.params, input, outtype: ext, limits: { maxInputPixels: 1e8, maxFrames, deadline: Date.now() + 60_000 } });
  return { body: out.body, meta: await sharp(out.body, { animated: true }).metadata() };
}

const pixel = async (body: Buffer, x: number, y: number) => {
  const { data, info } = await sharp(body).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return [...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3)];
};

describe('resize', () => {
  const photo = () => file('grid-toastybob.jpg'); // 768×1024
  it.each([
    ['cover', '&width=200&height=100&fit=cover', [200, 100]],
    ['contain', '&width=200&height=200&fit=contain', [200, 200]],
    ['fill', '&width=300&height=100&fit=fill', [300, 100]],
    ['inside', '&width=200&height=200&fit=inside', [150, 200]],
    ['outside', '&width=200&height=200&fit=outside', [200, 267]],
    ['one side', '&width=384', [384, 512]],
  ])('fits %s', async (_fit, query, size) => {
    const { meta } = await run('resize', 'png', query, photo());
    expect([meta.width, meta.height]).toEqual(size);
  });

  it('letterboxes with the background colour under contain', async () => {
    const { body } = await run('resize', 'png', '&width=200&height=200&fit=contain&background=%23ff0000', photo());
    expect(await pixel(body, 2, 100)).toEqual([255, 0, 0]);
  });

  it('keeps a different part of the image for different positions', async () => {
    const top = await run('resize', 'png', '&width=100&height=50&position=north', photo());
    const bottom = await run('resize', 'png', '&width=100&height=50&position=south', photo());
    expect(Buffer.compare(top.body, bottom.body)).not.toBe(0);
    for (const position of ['entropy', 'attention']) {
      const { meta } = await run('resize', 'png', `&width=100&height=50&position=${position}`, photo());
      expect([meta.width, meta.height]).toEqual([100, 50]);
    }
  });

  it('never enlarges with without-enlargement', async () => {
    const { meta } = await run('resize', 'png', '&width=400&without-enlargement=true', file('gridbear.jpg'));
    expect(meta.width).toBe(150);
  });
});

describe('thumbnail', () => {
  it('makes a square of the asked size', async () => {
    const { meta } = await run('thumbnail', 'webp', '&size=64', file('grid-toastybob.jpg'));
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 64, 64]);
  });
});

describe('output formats', () => {
  it.each([
    ['jpg', 'jpeg'],
    ['png', 'png'],
    ['webp', 'webp'],
    ['avif', 'heif'],
    ['gif', 'gif'],
  ] as const)('writes %s', async (ext, format) => {
    const { meta } = await run('passthrough', ext, '&width=80', file('gridbear.jpg'));
    expect([meta.format, meta.width, meta.height]).toEqual([format, 80, 80]);
  });

  it('makes smaller files at a lower quality', async () => {
    const low = await run('passthrough', 'jpg', '&quality=30', file('grid-toastybob.jpg'));
    const high = await run('passthrough', 'jpg', '&quality=95', file('grid-toastybob.jpg'));
    expect(low.body.length).toBeLessThan(high.body.length * 0.6);
  });
});

describe('animation', () => {
  const gif = () => file('time.gif');
  let frames = 0;
  beforeAll(async () => {
    frames = (await sharp(gif(), { animated: true }).metadata()).pages ?? 1;
  });

  it('keeps every frame through passthrough and resize', async () => {
    expect(frames).toBeGreaterThan(1);
    const through = await run('passthrough', 'gif', '', gif());
    expect([through.meta.format, through.meta.pages, through.meta.width]).toEqual(['gif', frames, 500]);
    const smaller = await run('resize', 'webp', '&width=100', gif());
    expect([smaller.meta.format, smaller.meta.pages, smaller.meta.width, smaller.meta.pageHeight]).toEqual(['webp', frames, 100, 100]);
  });

  it('refuses an animation with more frames than allowed', async () => {
    await expect(run('passthrough', 'gif', '', gif(), frames - 1)).rejects.toMatchObject({ status: 422, reason: 'input-pixels' });
  });

  it('writes the first frame to a type that cannot animate', async () => {
    const { meta } = await run('resize', 'png', '&width=50', gif());
    expect([meta.format, meta.pages ?? 1, meta.width]).toEqual(['png', 1, 50]);
  });
});

describe('orientation, colour profiles and metadata', () => {
  it('applies the EXIF orientation', async () => {
    const rotated = await sharp({ create: { width: 100, height: 50, channels: 3, background: '#08f' } }).jpeg().withMetadata({ orientation: 6 }).toBuffer();
    expect((await sharp(rotated).metadata()).orientation).toBe(6);
    const { meta } = await run('passthrough', 'png', '', rotated);
    expect([meta.width, meta.height]).toEqual([50, 100]);
  });

  it('converts a CMYK input with its profile to sRGB and strips metadata', async () => {
    const { meta } = await run('passthrough', 'jpg', '', file('cmyk-color.jpg'));
    expect([meta.space, meta.channels]).toEqual(['srgb', 3]);
    expect(meta.exif).toBeUndefined();
    expect(meta.icc).toBeUndefined();
  });
});
