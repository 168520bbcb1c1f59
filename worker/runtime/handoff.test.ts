import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FILE_HANDOFF_BYTES, hand, handoffFolder, received } from './handoff.ts';

const folder = handoffFolder();
afterAll(() => folder.dispose());

describe('handing an image over', () => {
  it('writes a large image to a file in the pool folder, which reads back the same bytes', async () => {
    const bytes = Buffer.alloc(FILE_HANDOFF_BYTES, 7);
    const handed = await hand(bytes, join(folder.dir, 'a'));
    expect(handed).toEqual({ file: join(folder.dir, 'a') });
    expect(readFileSync(join(folder.dir, 'a')).equals(bytes)).toBe(true);
    expect(Buffer.from(await received(handed)).equals(bytes)).toBe(true);
  });

  it('sends a small image as its bytes', async () => {
    const bytes = Buffer.alloc(FILE_HANDOFF_BYTES - 1, 7);
    expect(await hand(bytes, join(folder.dir, 'b'))).toBe(bytes);
    expect(existsSync(join(folder.dir, 'b'))).toBe(false);
  });

  it('sends the bytes when the file cannot be written', async () => {
    const bytes = Buffer.alloc(FILE_HANDOFF_BYTES, 7);
    expect(await hand(bytes, join(folder.dir, 'missing-folder', 'c'))).toBe(bytes);
  });

  it('removes its folder when disposed', () => {
    const other = handoffFolder();
    expect(existsSync(other.dir)).toBe(true);
    other.dispose();
    expect(existsSync(other.dir)).toBe(false);
  });
});
