import { describe, expect, it } from 'vitest';
import { cacheKey } from '../shared/cache-key.ts';
import { catalogueOf } from '../shared/graph/catalogue.ts';
import { resolveRequest } from '../shared/request.ts';
import { GRAPHS } from './graphs.generated.ts';
import { LONGEST, memoizedResolver } from './request-memo.ts';

const catalogue = await catalogueOf(GRAPHS);
const passthrough = catalogue.get('passthrough')!;
const limits = { sizeLimitMegapixels: 100 };
const pairs = (width: string) => [['input', 'files/gridbear.jpg'], ['width', width]] as const;

describe('the edge memo of request resolutions', () => {
  it('answers a repeated request with the resolution and cache key computed the first time', async () => {
    const resolve = memoizedResolver(10, 1 << 20);
    const first = await resolve(passthrough, 'png', pairs('64'), limits);
    const expected = resolveRequest(passthrough, 'png', pairs('64'), limits);
    expect(first.req).toEqual(expected);
    expect(first.key).toBe(await cacheKey(expected, passthrough.digest));
    expect(await resolve(passthrough, 'png', pairs('64'), limits)).toBe(first);
    expect((await resolve(passthrough, 'png', pairs('65'), limits)).key).not.toBe(first.key);
    expect((await resolve(passthrough, 'webp', pairs('64'), limits)).key).not.toBe(first.key);
  });

  it('tells graph versions apart, and `auto` requests by the type their Accept header chooses', async () => {
    const resolve = memoizedResolver(10, 1 << 20);
    const a = await resolve(passthrough, 'png', pairs('64'), limits);
    const changed = { ...passthrough, digest: 'f'.repeat(16) };
    expect((await resolve(changed, 'png', pairs('64'), limits)).key).not.toBe(a.key);
    const webp = await resolve(passthrough, 'auto', pairs('64'), { ...limits, accept: 'image/webp,*/*' });
    const jpeg = await resolve(passthrough, 'auto', pairs('64'), { ...limits, accept: 'text/html' });
    expect(webp.req.outtype).toBe('webp');
    expect(jpeg.req.outtype).not.toBe('webp');
    expect(webp.key).not.toBe(jpeg.key);
    expect(await resolve(passthrough, 'auto', pairs('64'), { ...limits, accept: 'image/webp' })).toBe(webp);
  });

  it('keeps no failure, and at most `max` entries', async () => {
    const resolve = memoizedResolver(2, 1 << 20);
    for (let i = 0; i < 2; i++) await expect(resolve(passthrough, 'png', pairs('ten'), limits)).rejects.toMatchObject({ status: 422, reason: 'invalid-parameter' });
    const first = await resolve(passthrough, 'png', pairs('1'), limits);
    await resolve(passthrough, 'png', pairs('2'), limits);
    await resolve(passthrough, 'png', pairs('3'), limits);
    const again = await resolve(passthrough, 'png', pairs('1'), limits);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('does not keep a request longer than it may hold', async () => {
    const resolve = memoizedResolver(10, 1 << 20);
    const long = [['input', `https://example.com/${'a'.repeat(LONGEST)}.jpg`]] as const;
    const once = await resolve(passthrough, 'png', long, limits);
    const twice = await resolve(passthrough, 'png', long, limits);
    expect(twice).not.toBe(once);
    expect(twice.key).toBe(once.key);
  });
});
