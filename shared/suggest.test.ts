import { describe, expect, it } from 'vitest';
import { unknownGraph, unknownParameter } from './errors.ts';
import { didYouMean, nearest } from './suggest.ts';

describe('did you mean', () => {
  it('names the known name within two edits, one for names of three letters, and nothing farther', () => {
    const graphs = ['crop', 'croprotate', 'passthrough', 'gaussianblur', 'thumbnail'];
    expect(nearest('cropp', graphs)).toBe('crop');
    expect(nearest('pasthrough', graphs)).toBe('passthrough');
    expect(nearest('GaussianBlur', graphs)).toBe('gaussianblur');
    expect(nearest('crp', graphs)).toBe('crop');
    expect(nearest('xyz', graphs)).toBeNull();
    expect(nearest('thumb', graphs)).toBeNull();
    expect(didYouMean('crop', graphs)).toBe('');
  });

  it('says it in the errors of an unknown graph and an unknown parameter', () => {
    expect(unknownGraph('cropp', ['crop', 'resize']).message).toBe('Unknown graph: cropp (did you mean crop?)');
    expect(unknownGraph('zzz', ['crop']).message).toBe('Unknown graph: zzz');
    expect(unknownParameter(['wdth', 'zz'], ['height', 'input', 'width']).message).toBe('Unknown parameter: wdth (did you mean width?), zz');
  });
});
