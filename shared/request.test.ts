import { readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cacheKey, canonicalForm, resultFolder, resultObjectKey } from './cache-key.ts';
import type { Catalogue } from './graph/catalogue.ts';
import { buildCatalogue } from './graph/sources.ts';
import { resolveRequest } from './request.ts';
import { parseQuery } from './url.ts';

const graphsDir = new URL('../graphs/', import.meta.url);
let catalogue: Catalogue;
beforeAll(async () => {
  catalogue = await buildCatalogue(
    readdirSync(graphsDir).map((filename) => ({ filename, text: readFileSync(new URL(filename, graphsDir), 'utf8') })),
  );
});

const limits = { sizeLimitMegapixels: 25 };
const resolve = (graph: string, ext: string, search: string) =>
  resolveRequest(catalogue.get(graph)!, ext, parseQuery(search), limits);
const key = async (graph: string, ext: string, search: string) => {
  const entry = catalogue.get(graph)!;
  return cacheKey(resolveRequest(entry, ext, parseQuery(search), limits), entry.digest);
};

describe('resolving a processing request', () => {
  it('fills defaults and converts values to their declared types', () => {
    const r = resolve('crop', 'png', '?input=files%2Fgrid-toastybob.jpg&x=200&y=230.5');
    expect(r).toMatchObject({ graph: 'crop', outtype: 'png', input: 'files/grid-toastybob.jpg', nocache: false });
    expect(r.params).toEqual({ x: 200, y: 230.5, cropwidth: 10, cropheight: 10 });
  });
  it('defaults to jpg, except noop which keeps the input type', () => {
    expect(resolve('crop', '', '?input=files%2Fa.jpg').outtype).toBe('jpg');
    expect(resolve('crop', 'jpeg', '?input=files%2Fa.jpg').outtype).toBe('jpg');
    expect(resolve('noop', '', '?input=files%2Fa.jpg').outtype).toBeNull();
    expect(resolve('noop', 'gif', '?input=files%2Fa.gif').outtype).toBe('gif');
  });
  it('clamps numbers to the declared range, as the original did', () => {
    expect(resolve('gaussianblur', '', '?input=files%2Fa.jpg&std-dev-x=1e9').params['std-dev-x']).toBe(1500);
    expect(resolve('gaussianblur', '', '?input=files%2Fa.jpg&std-dev-x=-3').params['std-dev-x']).toBe(0);
  });
  it('answers 449 naming an unknown parameter and listing the inports', () => {
    expect(() => resolve('crop', '', '?input=files%2Fa.jpg&skeke=299')).toThrowError(
      expect.objectContaining({ status: 449, reason: 'unknown-parameter', extra: expect.objectContaining({ unknown: ['skeke'] }) }),
    );
    expect(() => resolve('noop', '', '?input=files%2Fa.jpg&width=10')).toThrowError(expect.objectContaining({ status: 449 }));
    // The list holds every name a URL may carry, the controls a user writes included; a near miss is named.
    let refused: unknown;
    try {
      resolve('crop', '', '?input=files%2Fa.jpg&wdth=299');
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({ message: 'Unknown parameter: wdth (did you mean width?)', extra: { inports: expect.arrayContaining(['input', 'width', 'fallback', 'preset', 'x']) } });
    expect((refused as { extra: { inports: string[] } }).extra.inports).not.toContain('_nocache');
  });
  it('answers 449 with the supported list for an unsupported type', () => {
    expect(() => resolve('crop', 'svg', '?input=files%2Fa.jpg')).toThrowError(
      expect.objectContaining({ status: 449, reason: 'unsupported-type', extra: { supported: ['jpg', 'jpeg', 'png', 'webp', 'avif', 'gif', 'mp4', 'auto'] } }),
    );
    expect(() => resolve('crop', 'PNG', '?input=files%2Fa.jpg')).toThrowError(expect.objectContaining({ status: 449 }));
  });
  it('takes t (a video input’s frame) for an image output of a graph with an input, and refuses it for .mp4', () => {
    expect(resolve('passthrough', 'jpg', '?input=files%2Fa.mp4&t=0.5').params).toMatchObject({ t: 0.5 });
    expect(resolve('passthrough', 'jpg', '?input=files%2Fa.mp4').params).not.toHaveProperty('t');
    expect(() => resolve('passthrough', 'mp4', '?input=files%2Fa.mp4&t=1')).toThrowError(expect.objectContaining({ status: 422, reason: 'invalid-parameter', extra: { parameter: 't' } }));
    expect(() => resolve('canvas', 'png', '?t=1')).toThrowError(expect.objectContaining({ status: 449, reason: 'unknown-parameter' }));
  });
  it('takes the original’s video_bitrate and video_framerate on any output, keeping them for a video’s alone', () => {
    expect(resolve('passthrough', 'mp4', '?input=files%2Fa.mp4&video_bitrate=500&video_framerate=12.5').params).toMatchObject({ video_bitrate: 500, video_framerate: 12.5 });
    expect(resolve('passthrough', 'jpg', '?input=files%2Fa.mp4&video_bitrate=500').params).not.toHaveProperty('video_bitrate');
    expect(resolve('passthrough', 'mp4', '?input=files%2Fa.mp4&video_bitrate=5').params).toMatchObject({ video_bitrate: 100 });
    expect(() => resolve('passthrough', 'mp4', '?input=files%2Fa.mp4&video_framerate=fast')).toThrowError(expect.objectContaining({ status: 422, reason: 'invalid-parameter' }));
  });
  it('answers 422 for values that cannot be converted', () => {
    for (const q of ['x=abc', 'x=1x', 'abyss-policy=sideways', 'width=abc', 'width=0', 'width=-5', 'quality=q']) {
      const graph = q.startsWith('abyss') ? 'gaussianblur' : 'crop';
      expect(() => resolve(graph, '', `?input=files%2Fa.jpg&${q}`), q).toThrowError(
        expect.objectContaining({ status: 422, reason: 'invalid-parameter' }),
      );
    }
  });
  it('applies the original size limit to width and height', () => {
    expect(() => resolve('passthrough', '', '?input=files%2Fa.jpg&width=30000&height=1000')).toThrowError(
      expect.objectContaining({ status: 422, reason: 'size-limit' }),
    );
    expect(() => resolve('passthrough', '', '?input=files%2Fa.jpg&height=5100')).toThrowError(
      expect.objectContaining({ status: 422, reason: 'size-limit' }),
    );
    expect(resolve('passthrough', '', '?input=files%2Fa.jpg&height=5000').params.height).toBe(5000);
  });
  it('multiplies width and height by dpr, clamped to 1–4, before the size limit', () => {
    expect(resolve('passthrough', '', '?input=files%2Fa.jpg&width=300&dpr=2').params).toMatchObject({ width: 600 });
    expect(resolve('passthrough', '', '?input=files%2Fa.jpg&width=301&height=200&dpr=1.5').params).toMatchObject({ width: 452, height: 300 });
    expect(resolve('passthrough', '', '?input=files%2Fa.jpg&width=300&dpr=9').params.width).toBe(1200);
    expect(resolve('passthrough', '', '?input=files%2Fa.jpg&width=300&dpr=0.5').params.width).toBe(300);
    expect(resolve('passthrough', '', '?input=files%2Fa.jpg&dpr=2').params.width).toBeUndefined();
    // 3000 alone passes the 25 MP limit; 3000 × 3 does not.
    expect(() => resolve('passthrough', '', '?input=files%2Fa.jpg&height=3000&dpr=3')).toThrowError(expect.objectContaining({ status: 422, reason: 'size-limit' }));
    expect(() => resolve('passthrough', '', '?input=files%2Fa.jpg&width=30&dpr=two')).toThrowError(expect.objectContaining({ status: 422, extra: { parameter: 'dpr' } }));
    // A graph with its own size (the canvas) gets its sizes multiplied, within their own range.
    expect(resolve('canvas', '', '?width=300&height=200&dpr=2').params).toMatchObject({ width: 600, height: 400 });
    expect(() => resolve('noop', '', '?input=files%2Fa.jpg&dpr=2')).toThrowError(expect.objectContaining({ reason: 'unknown-parameter' }));
  });
  it('answers 422 for a repeated parameter and for a missing input', () => {
    expect(() => resolve('crop', '', '?input=files%2Fa.jpg&x=1&x=2')).toThrowError(expect.objectContaining({ status: 422 }));
    expect(() => resolve('crop', '', '?x=1')).toThrowError(expect.objectContaining({ status: 422, reason: 'invalid-parameter' }));
  });
  it('answers 504 for an input with a scheme that is not http(s)', () => {
    expect(() => resolve('crop', '', '?input=chrome-search%3A%2F%2Fthumb2%2Fhttp%3A%2F%2Findex.hu')).toThrowError(
      expect.objectContaining({ status: 504, reason: 'input-fetch-failed' }),
    );
    expect(() => resolve('crop', '', '?input=file%3A%2F%2F%2Fetc%2Fpasswd')).toThrowError(expect.objectContaining({ status: 504 }));
  });
  it('names a bare file name as the example it most likely is, in input and in fallback alike', () => {
    const hint = /not an http\(s\) URL, files\/<name> or graph\/\.\.\. URL \(did you mean files\/mountains\.png\?\)/;
    expect(() => resolve('crop', '', '?input=mountains.png')).toThrowError(expect.objectContaining({ status: 504, reason: 'input-fetch-failed', message: expect.stringMatching(hint) }));
    expect(() => resolve('crop', '', '?input=files%2Fa.jpg&fallback=mountains.png')).toThrowError(expect.objectContaining({ status: 422, message: expect.stringMatching(hint) }));
    expect(() => resolve('crop', '', '?input=etc')).toThrowError(expect.objectContaining({ message: expect.not.stringMatching(/did you mean/) }));
  });
  it('reads the control flags', () => {
    const r = resolve('crop', '', '?input=files%2Fa.jpg&_nocache=true&_exp=1900000000&debug=1');
    expect(r).toMatchObject({ nocache: true, exp: 1900000000, debug: true });
    expect(resolve('crop', '', '?input=files%2Fa.jpg&_nocache=1').nocache).toBe(false);
  });
});

describe('image inports other than input (watermark\'s overlay)', () => {
  const wm = '?input=files%2Fmountains.png&overlay=';
  it('takes an image reference under the rules of input, and requires it', () => {
    expect(resolve('watermark', 'png', `${wm}files%2Fhappy-kitten.svg`).params.overlay).toBe('files/happy-kitten.svg');
    expect(resolve('watermark', 'png', `${wm}HTTPS%3A%2F%2FExample.com%2Fa%20b.png%23frag`).params.overlay).toBe('https://example.com/a%20b.png');
    expect(resolve('watermark', 'png', `${wm}graph%2Fcrop%3Finput%3Dfiles%252Fgridbear.jpg`).params.overlay).toBe('graph/crop?input=files%2Fgridbear.jpg');
    expect(() => resolve('watermark', 'png', '?input=files%2Fmountains.png')).toThrow(expect.objectContaining({ status: 422, extra: { parameter: 'overlay' } }));
    expect(() => resolve('watermark', 'png', `${wm}`)).toThrow(expect.objectContaining({ status: 422 }));
    expect(() => resolve('watermark', 'png', `${wm}ftp%3A%2F%2Fx.example%2Fa.png`)).toThrow(expect.objectContaining({ status: 504, reason: 'input-fetch-failed' }));
    expect(() => resolve('watermark', 'png', `${wm}${'a'.repeat(5000)}`)).toThrow(expect.objectContaining({ status: 422 }));
    const deep = ['crop', 'crop', 'crop', 'crop'].reduce((inner, g) => `graph/${g}?input=${encodeURIComponent(inner)}`, 'files/gridbear.jpg');
    expect(() => resolve('watermark', 'png', `${wm}${encodeURIComponent(deep)}`)).toThrow(expect.objectContaining({ status: 422 }));
  });

  it('is part of the cache key, normalised like input', async () => {
    const a = await key('watermark', 'png', `${wm}files%2Fhappy-kitten.svg`);
    expect(await key('watermark', 'png', `${wm}files%2Fgridbear.jpg`)).not.toBe(a);
    expect(await key('watermark', 'png', `${wm}%2Ffiles%2Fhappy-kitten.svg`)).toBe(a);
    expect(await key('watermark', 'png', `${wm}https%3A%2F%2Fexample.com%2Fa.png%23x`)).toBe(await key('watermark', 'png', `${wm}https%3A%2F%2FEXAMPLE.com%2Fa.png`));
  });
});

describe('the cache key', () => {
  it('does not depend on parameter order, encoding, defaults or control parameters', async () => {
    const base = await key('crop', 'png', '?input=files%2Fgrid-toastybob.jpg&x=200&y=230');
    expect(await key('crop', 'png', '?y=230&x=200&input=files/grid-toastybob.jpg')).toBe(base);
    expect(await key('crop', 'png', '?input=files%2Fgrid-toastybob.jpg&x=200.0&y=230&cropwidth=10')).toBe(base);
    expect(await key('crop', 'png', '?input=files%2Fgrid-toastybob.jpg&x=200&y=230&_nocache=true&debug=1&_exp=1')).toBe(base);
  });
  it('shares one entry between a size times dpr and the multiplied size', async () => {
    expect(await key('passthrough', '', '?input=files%2Fa.jpg&width=300&dpr=2')).toBe(await key('passthrough', '', '?input=files%2Fa.jpg&width=600'));
    expect(await key('passthrough', '', '?input=files%2Fa.jpg&dpr=2')).toBe(await key('passthrough', '', '?input=files%2Fa.jpg'));
  });
  it('shares one entry for values that clamp to the same number', async () => {
    expect(await key('gaussianblur', '', '?input=files%2Fa.jpg&std-dev-x=1e9')).toBe(
      await key('gaussianblur', '', '?input=files%2Fa.jpg&std-dev-x=1500'),
    );
  });
  it('differs when anything that changes the image differs', async () => {
    const base = await key('crop', 'png', '?input=files%2Fa.jpg&x=1');
    const others = [
      await key('crop', 'jpg', '?input=files%2Fa.jpg&x=1'),
      await key('crop', 'png', '?input=files%2Fb.jpg&x=1'),
      await key('crop', 'png', '?input=files%2Fa.jpg&x=2'),
      await key('crop', 'png', '?input=files%2Fa.jpg&x=1&width=100'),
      await key('passthrough', 'png', '?input=files%2Fa.jpg'),
    ];
    expect(new Set([base, ...others]).size).toBe(6);
  });
  it('normalises http inputs as URLs', async () => {
    expect(await key('crop', '', '?input=HTTP%3A%2F%2FExample.COM%2Fa.jpg')).toBe(
      await key('crop', '', '?input=http%3A%2F%2Fexample.com%2Fa.jpg'),
    );
  });
  it('has a documented canonical form', () => {
    const entry = catalogue.get('crop')!;
    const r = resolveRequest(entry, 'png', parseQuery('?input=files%2Fa.jpg&y=2&x=1'), limits);
    expect(canonicalForm(r, 'd')).toBe(
      '{"digest":"d","graph":"crop","input":"files/a.jpg","params":{"cropheight":10,"cropwidth":10,"x":1,"y":2},"type":"png","v":1}',
    );
  });
  it('names a stored result <prefix>/<key>/<digest>.<ext>, in the folder of its key', () => {
    expect(resultObjectKey('p', 'abc', 'jpg', 'd1')).toBe('p/abc/d1.jpg');
    expect(resultObjectKey('p/', 'abc', 'jpg', 'd1')).toBe('p/abc/d1.jpg');
    expect(resultObjectKey('', 'abc', null, 'd1')).toBe('abc/d1');
    expect(resultFolder('p', 'abc')).toBe('p/abc/');
  });
});
