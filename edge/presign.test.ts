import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { inProcessSystem } from '../test/helpers/in-process.ts';
import { S3_ENDPOINT, s3Available } from '../test/helpers/services.ts';
import { S3ObjectStore } from '../worker/adapters/s3.ts';
import { parseEdgeConfig } from './config.ts';
import { s3Presigner } from './presign.ts';

const available = await s3Available();
const settings = { bucket: 'imgflo-test', region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

describe.skipIf(!available)('presigned result URLs', () => {
  it('answers 302 to a short-lived presigned URL that fetches the stored result', async () => {
    const client = new S3Client({ region: settings.region, endpoint: S3_ENDPOINT, forcePathStyle: true, credentials: settings });
    await client.send(new CreateBucketCommand({ Bucket: settings.bucket })).catch(() => {});
    const sys = await inProcessSystem({
      store: new S3ObjectStore(settings),
      presign: s3Presigner({ ...settings, expiresSeconds: 600 }),
      
    });
    const res = await sys.request(`/graph/crop.png?input=files%2Fgridbear.jpg&x=${Math.floor(Math.random() * 100)}`);
    expect(res.status).toBe(302);
    expect(res.headers.get('cache-control')).toBe('private, max-age=300');
    const location = new URL(res.headers.get('location')!);
    expect(location.origin + location.pathname).toMatch(new RegExp(`^${S3_ENDPOINT}/imgflo-test/results/[0-9a-f]{40}/[0-9a-f]{16}\\.png$`));
    expect(location.searchParams.get('X-Amz-Expires')).toBe('600');
    expect(location.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    const image = await fetch(location);
    expect([image.status, image.headers.get('content-type')]).toEqual([200, 'image/png']);
  });
});

describe('presigned mode configuration', () => {
  const base = {
    UPSTASH_REDIS_REST_URL: 'http://u',
    UPSTASH_REDIS_REST_TOKEN: 't',
    IMGFLO_BRIDGE_URL: 'http://b',
    IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16),
    IMGFLO_PUBLIC_BASE_URL: 'http://p',
    IMGFLO_STORAGE_URL_MODE: 'presigned',
  };
  it('names the settings it needs', () => {
    expect(() => parseEdgeConfig(base)).toThrow(/IMGFLO_S3_BUCKET: is required.*AWS_ACCESS_KEY_ID: is required.*AWS_SECRET_ACCESS_KEY: is required/);
  });
  it('reads them, with R2-friendly defaults', () => {
    const c = parseEdgeConfig({ ...base, IMGFLO_S3_BUCKET: 'bkt', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's', IMGFLO_S3_ENDPOINT: 'https://acc.r2.cloudflarestorage.com' });
    expect(c.presign).toMatchObject({ bucket: 'bkt', forcePathStyle: true, expiresSeconds: 3600, region: 'us-east-1' });
    // The bucket rule is the backend's too (shared/settings.ts): S3 names are 3 to 63 characters.
    expect(() => parseEdgeConfig({ ...base, IMGFLO_S3_BUCKET: 'b', AWS_ACCESS_KEY_ID: 'k', AWS_SECRET_ACCESS_KEY: 's' })).toThrow(/IMGFLO_S3_BUCKET/);
  });
});
