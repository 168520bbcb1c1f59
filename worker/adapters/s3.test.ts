import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../shared/contracts/object-store.contract.ts';
import { S3_ENDPOINT, s3Available } from '../../test/helpers/services.ts';
import { createS3Client, S3ObjectStore } from './s3.ts';

const available = await s3Available();
const BUCKET = 'imgflo-test';
const client = createS3Client({
  bucket: BUCKET,
  region: 'us-east-1',
  endpoint: S3_ENDPOINT,
  forcePathStyle: true,
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
});

async function store() {
  await client.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => {});
  return new S3ObjectStore(client, BUCKET);
}

describe.skipIf(!available)('S3 object store (s3rver)', () => {
  objectStoreContract('S3', store);

  it('stores results with their content type and an immutable Cache-Control, readable over HTTP', async () => {
    const s = await store();
    const key = `results/${crypto.randomUUID()}.png`;
    const body = new Uint8Array(200_000).map((_, i) => i % 251);
    await s.put(key, body, 'image/png');
    const res = await fetch(`${S3_ENDPOINT}/${BUCKET}/${key}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.compare(Buffer.from(await res.arrayBuffer()), Buffer.from(body))).toBe(0);
  });

  it('throws (for a retry) when the server cannot be reached', async () => {
    const dead = new S3ObjectStore(
      createS3Client({ bucket: BUCKET, region: 'us-east-1', endpoint: 'http://127.0.0.1:9', forcePathStyle: true, accessKeyId: 'x', secretAccessKey: 'y' }),
      BUCKET,
    );
    await expect(dead.put('x.png', new Uint8Array([1]), 'image/png')).rejects.toThrow();
  });
});
