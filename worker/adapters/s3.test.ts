import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../shared/contracts/object-store.contract.ts';
import { S3_ENDPOINT, s3Available } from '../../test/helpers/services.ts';
import { createS3Client, objectUrl, S3ObjectStore } from './s3.ts';

const available = await s3Available();
const BUCKET = 'imgflo-test';
const settings = { bucket: BUCKET, region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
const client = createS3Client(settings);

async function store() {
  await client.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => {});
  return new S3ObjectStore(settings);
}

describe('S3 object URLs', () => {
  const aws = { bucket: 'b', region: 'eu-west-1', endpoint: null, forcePathStyle: false, accessKeyId: null, secretAccessKey: null };
  it('are virtual-hosted or path-style, on AWS or on an endpoint, with each key segment encoded', () => {
    expect(objectUrl(aws, 'results/a b.png')).toBe('https://b.s3.eu-west-1.amazonaws.com/results/a%20b.png');
    expect(objectUrl({ ...aws, forcePathStyle: true }, 'results/k.png')).toBe('https://s3.eu-west-1.amazonaws.com/b/results/k.png');
    expect(objectUrl({ ...aws, region: 'auto', endpoint: 'https://acct.r2.cloudflarestorage.com', forcePathStyle: true }, 'k')).toBe('https://acct.r2.cloudflarestorage.com/b/k');
    expect(objectUrl({ ...aws, endpoint: 'http://127.0.0.1:4568/', forcePathStyle: true }, 'k')).toBe('http://127.0.0.1:4568/b/k');
    expect(objectUrl({ ...aws, endpoint: 'https://minio.example.com' }, 'k')).toBe('https://b.minio.example.com/k');
  });
});

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

  it('takes its credentials from the AWS default chain when none are configured', async () => {
    await store();
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    try {
      const fromEnv = new S3ObjectStore({ ...settings, accessKeyId: null, secretAccessKey: null });
      const key = `results/${crypto.randomUUID()}.png`;
      await fromEnv.put(key, new Uint8Array([1, 2, 3]), 'image/png');
      expect(await fromEnv.head(key)).toEqual({ contentType: 'image/png', size: 3 });
    } finally {
      for (const [name, value] of [['AWS_ACCESS_KEY_ID', saved.id], ['AWS_SECRET_ACCESS_KEY', saved.secret]] as const) {
        if (value === undefined) delete process.env[name];
        else process.env[name] = value;
      }
    }
  });

  it('throws (for a retry) when the server cannot be reached', async () => {
    const dead = new S3ObjectStore({ ...settings, endpoint: 'http://127.0.0.1:9' });
    await expect(dead.put('x.png', new Uint8Array([1]), 'image/png')).rejects.toThrow();
  });
});
