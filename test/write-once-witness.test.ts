/**
 * The witness that watches the suite's S3 writes can fail: a result key written again with other
 * bytes is a conflict; the same bytes again, another key, or a retirement marker are not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../worker/adapters/s3.ts';
import { s3Available, S3_ENDPOINT } from './helpers/services.ts';
import { startWitness, type Conflict, type Witness } from './helpers/write-once-witness.ts';

const up = await s3Available();

describe.runIf(up)('the write-once witness', () => {
  let witness: Witness;
  let store: S3ObjectStore;
  beforeAll(async () => {
    // Its own witness, in front of the S3 server itself (not the suite's witness): its conflicts are its own.
    witness = await startWitness(process.env.IMGFLO_TEST_S3_UPSTREAM ?? S3_ENDPOINT);
    store = new S3ObjectStore({ bucket: 'imgflo-test', region: 'us-east-1', endpoint: witness.url, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' });
  });
  afterAll(() => witness?.close());

  it('reports a result key written again with other bytes, and nothing else', async () => {
    const folder = `witness-${crypto.randomUUID().slice(0, 8)}/${'e'.repeat(40)}`;
    await store.put(`${folder}/0123456789abcdef.png`, new Uint8Array([1, 2]), 'image/png');
    await store.put(`${folder}/0123456789abcdef.png`, new Uint8Array([1, 2]), 'image/png');
    await store.put(`${folder}/fedcba9876543210.png`, new Uint8Array([3]), 'image/png');
    await store.put(`retired/${folder}/0123456789abcdef.png`, new Uint8Array([4]), 'application/json');
    await store.put(`retired/${folder}/0123456789abcdef.png`, new Uint8Array([5]), 'application/json');
    const before = (await (await fetch(`${witness.url}/__witness/conflicts`)).json()) as { writes: number; conflicts: Conflict[] };
    expect(before).toEqual({ writes: 3, conflicts: [] });
    await store.put(`${folder}/0123456789abcdef.png`, new Uint8Array([9, 9, 9]), 'image/png');
    const after = (await (await fetch(`${witness.url}/__witness/conflicts`)).json()) as { writes: number; conflicts: Conflict[] };
    expect(after.conflicts).toEqual([{ path: expect.stringMatching(new RegExp(`/${folder}/0123456789abcdef\\.png$`)), first: expect.any(String), now: expect.any(String) }]);
    // What went through is what S3 holds: the proxy changes nothing.
    expect([...(await store.get(`${folder}/0123456789abcdef.png`))!.body]).toEqual([9, 9, 9]);
  });
});
