/**
 * After every end-to-end test: no result object was written with other bytes than at its first
 * write, as the witness in front of the S3 server saw it (test/setup/global.ts).
 */
import { afterEach, beforeAll, expect } from 'vitest';
import type { Conflict } from '../helpers/write-once-witness.ts';

const url = process.env.IMGFLO_TEST_WITNESS_URL;
/** The witness's conflicts so far; asked again on a fresh connection if a kept-alive one was closed under the request. */
async function conflictsSoFar(): Promise<Conflict[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const res = await fetch(`${url}/__witness/conflicts`, attempt > 1 ? { headers: { connection: 'close' } } : {});
      return ((await res.json()) as { conflicts: Conflict[] }).conflicts;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
}
/** Conflicts reported already (by the tests of earlier files). */
let seen = 0;

beforeAll(async () => {
  if (url) seen = (await conflictsSoFar()).length;
});

afterEach(async () => {
  if (!url) return;
  const conflicts = await conflictsSoFar();
  const fresh = conflicts.slice(seen);
  seen = conflicts.length;
  expect(fresh, 'result objects written again with other bytes').toEqual([]);
});
