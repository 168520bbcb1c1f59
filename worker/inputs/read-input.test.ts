import { describe, expect, it } from 'vitest';
import { ROOT } from '../../test/helpers/in-process.ts';
import { createInputReader } from './read-input.ts';

describe('reading a bundled example', () => {
  const read = createInputReader({ examplesDir: `${ROOT}examples`, maxInputBytes: 1e7, fetchTimeoutMs: 1000 });
  it('reads one that is there, and names one that is not as such, with the nearest name', async () => {
    expect((await read('files/gridbear.jpg')).length).toBeGreaterThan(1000);
    await expect(read('files/gridbaer.jpg')).rejects.toMatchObject({ status: 504, reason: 'input-fetch-failed', message: 'Failed to fetch input files/gridbaer.jpg: no example file is named gridbaer.jpg (did you mean gridbear.jpg?)' });
    await expect(read('files/nothing-like-it.png')).rejects.toMatchObject({ message: 'Failed to fetch input files/nothing-like-it.png: no example file is named nothing-like-it.png' });
  });
});
