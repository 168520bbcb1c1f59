import { describe, expect, it } from 'vitest';
import { imgfloDensitySrcset, imgfloInfoUrl, imgfloSizes, imgfloSrcset, imgfloUrl } from './client.ts';
import { verifyToken } from './tokens.ts';
import { parseInfoPath, rawPath, rawSearch } from './url.ts';

const example = {
  graph: 'crop',
  params: [['height', 110], ['width', 130], ['x', 200], ['y', 230], ['input', 'files/grid-toastybob.jpg']] as const,
  key: 'ooShei0queigeeke',
  secret: 'reeva9aijo1Ooj9w',
};

describe('the JS client', () => {
  it('signs the SPEC worked example with v2 by default', async () => {
    expect(await imgfloUrl(example)).toBe(
      '/graph/ooShei0queigeeke/xiRd6fQZfgiFuUnjzdHElVBTR0IEKlecXYlgOXRm4rE/crop?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg',
    );
  });
  it('builds /info URLs, unsigned and signed over the graphspec "info"', async () => {
    expect(await imgfloInfoUrl({ server: 'https://img.example.com/', params: { input: 'files/a b.jpg' } })).toBe('https://img.example.com/info?input=files%2Fa%20b.jpg');
    for (const version of ['v1', 'v2'] as const) {
      const url = await imgfloInfoUrl({ server: 'https://img.example.com', params: { input: 'files/a.jpg' }, key: 'k/1', secret: 's', version });
      const path = parseInfoPath(rawPath(url))!;
      expect([path.apikey, path.graphspec]).toEqual(['k/1', 'info']);
      expect(await verifyToken(path.token!, ['s'], 'info', rawSearch(url), { legacy: true })).toBe(true);
      expect(await verifyToken(path.token!, ['s'], 'crop', rawSearch(url), { legacy: true })).toBe(false);
    }
  });
  it('signs it with the original v1 token on request', async () => {
    expect(await imgfloUrl({ ...example, version: 'v1', server: 'https://img.example.com/' })).toBe(
      'https://img.example.com/graph/ooShei0queigeeke/45fffba6e0a6f3dfc657e4f4e15ea597/crop?height=110&width=130&x=200&y=230&input=files%2Fgrid-toastybob.jpg',
    );
  });
  it('builds unsigned URLs, extensions and expiry', async () => {
    expect(await imgfloUrl({ graph: 'passthrough', ext: 'webp', params: { input: 'https://x.test/a b.jpg', width: 300 }, expires: 1900000000.5 })).toBe(
      '/graph/passthrough.webp?input=https%3A%2F%2Fx.test%2Fa%20b.jpg&width=300&_exp=1900000000',
    );
  });
  it('makes a srcset at each width, keeping the aspect ratio and signing each URL', async () => {
    const srcset = await imgfloSrcset({ graph: 'resize', ext: 'jpg', params: { input: 'files/a.jpg', width: 400, height: 300 }, key: 'k', secret: 's' }, [200, 800]);
    const parts = srcset.split(', ');
    expect(parts).toHaveLength(2);
    expect(parts[0]).toMatch(/^\/graph\/k\/[A-Za-z0-9_-]{43}\/resize\.jpg\?input=files%2Fa\.jpg&width=200&height=150 200w$/);
    expect(parts[1]).toMatch(/&width=800&height=600 800w$/);
    expect(parts[0]!.split('/')[3]).not.toBe(parts[1]!.split('/')[3]);
  });
  it('makes a density srcset with dpr, replacing any dpr given, each URL signed', async () => {
    const srcset = await imgfloDensitySrcset({ graph: 'passthrough', params: { input: 'files/a.jpg', width: 300, dpr: 3 } }, [1, 2, 3.5]);
    expect(srcset).toBe(
      '/graph/passthrough?input=files%2Fa.jpg&width=300 1x, /graph/passthrough?input=files%2Fa.jpg&width=300&dpr=2 2x, /graph/passthrough?input=files%2Fa.jpg&width=300&dpr=3.5 3.5x',
    );
    const signed = (await imgfloDensitySrcset({ ...example, key: 'k', secret: 's' })).split(', ');
    expect(signed.map((p) => p.split(' ')[1])).toEqual(['1x', '2x']);
    expect(signed[0]!.split('/')[3]).not.toBe(signed[1]!.split('/')[3]);
  });
  it('writes a sizes attribute from media conditions and a default', () => {
    expect(imgfloSizes([['(max-width: 600px)', '100vw'], ['(max-width: 1200px)', '50vw']], '600px')).toBe('(max-width: 600px) 100vw, (max-width: 1200px) 50vw, 600px');
    expect(imgfloSizes([], '100vw')).toBe('100vw');
  });
});
