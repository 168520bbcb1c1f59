import { describe, expect, it } from 'vitest';
import { PendingIndexWrites } from './index-writes.ts';
import { createLogger } from './log.ts';

/** An index that is away until `up` is set, recording what it took. */
function flakyIndex() {
  const index = { up: false, taken: [] as string[] };
  const op = (what: string) => async () => {
    if (!index.up) throw new Error('index away');
    index.taken.push(what);
  };
  return { index, op };
}

describe('index writes that wait for the index', () => {
  const log = createLogger('silent');

  it('writes at once when the index takes it, and keeps nothing', async () => {
    const { index, op } = flakyIndex();
    index.up = true;
    const writes = new PendingIndexWrites({ log });
    await writes.write('a', 'write', op('a'));
    expect([index.taken, writes.size]).toEqual([['a'], 0]);
  });

  it('keeps what the index refuses, the newest write of each id, and writes it once the index is back', async () => {
    const { index, op } = flakyIndex();
    const writes = new PendingIndexWrites({ log });
    await writes.write('k1', 'write', op('k1 old'));
    await writes.write('k1', 'write', op('k1 new'));
    await writes.write('k2', 'write', op('k2'));
    expect(writes.size).toBe(2);
    index.up = true;
    await expect.poll(() => writes.size, { timeout: 5000 }).toBe(0);
    expect(index.taken).toEqual(['k1 new', 'k2']);
    writes.close();
  });

  it('holds at most maxPending (the oldest goes) and none older than maxAgeMs', async () => {
    const { index, op } = flakyIndex();
    let now = 0;
    const writes = new PendingIndexWrites({ log, maxPending: 3, maxAgeMs: 1000, now: () => now });
    for (const id of ['a', 'b', 'c', 'd']) await writes.write(id, 'write', op(id));
    expect(writes.size).toBe(3);
    now = 5000;
    await writes.write('e', 'write', op('e'));
    index.up = true;
    await expect.poll(() => writes.size, { timeout: 5000 }).toBe(0);
    // a and b went for room, c and d waited past maxAgeMs (storage re-indexes them); e was written.
    expect(index.taken).toEqual(['e']);
    writes.close();
  });
});
