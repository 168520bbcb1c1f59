import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../../worker/catalogue.ts';
import { resultFollowsWidth } from './sizes.ts';

describe('whether a result is as wide as its width', () => {
  it('is for graphs that keep or make the size, and is not where another parameter sets it', async () => {
    const catalogue = await loadCatalogue(new URL('../../graphs', import.meta.url).pathname);
    const follows = (name: string) => resultFollowsWidth(catalogue.get(name)!.compiled);
    for (const name of ['passthrough', 'gaussianblur', 'watermark', 'resize', 'canvas']) expect(follows(name), name).toBe(true);
    for (const name of ['crop', 'croprotate', 'thumbnail', 'noop']) expect(follows(name), name).toBe(false);
  });
});
