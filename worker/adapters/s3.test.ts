import { createHash, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectStoreContract } from '../../shared/contracts/object-store.contract.ts';
import { S3_ENDPOINT, s3Available } from '../../test/helpers/services.ts';
import { startS3rver } from '../../test/helpers/s3rver.ts';
import { bucketAddress, PROBE_PREFIX, S3Error, S3ObjectStore, type S3Settings } from './s3.ts';

const available = await s3Available();
const BUCKET = 'imgflo-test';
const settings: S3Settings = { bucket: BUCKET, region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

async function store() {
  const sdk = new S3Client({ region: 'us-east-1', endpoint: S3_ENDPOINT, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  await sdk.send(new CreateBucketCommand({ Bucket: BUCKET })).catch(() => {});
  return new S3ObjectStore(settings);
}

/** A loopback server that records each request and answers with `reply`'s status and body. */
async function recorder(reply: (n: number) => [number, string]) {
  const seen: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    seen.push(req);
    req.resume();
    const [status, body] = reply(seen.length);
    res.writeHead(status, { 'content-type': 'application/xml' }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { seen, endpoint, close: () => new Promise((r) => server.close(r)) };
}

describe.skipIf(!available)('S3 object store (s3rver)', () => {
  // s3rver ignores If-None-Match: a create is a HEAD, then a PUT.
  objectStoreContract('S3', store, { atomicCreate: false });

  it('finds that s3rver does not honour conditional writes, and leaves no probe object', async () => {
    const s = await store();
    expect(await s.conditionalWrites()).toBe(false);
    expect(await s.list(PROBE_PREFIX)).toEqual([]);
  });

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

  it('signs keys with characters that need encoding, and reads them back', async () => {
    const s = await store();
    const key = `test/${crypto.randomUUID()}/a b+c(1)!*'~.png`;
    await s.put(key, new Uint8Array([1, 2, 3]), 'image/png');
    expect(await s.head(key)).toEqual({ contentType: 'image/png', size: 3 });
    expect([...(await s.get(key))!.body]).toEqual([1, 2, 3]);
  });

  it('refuses a missing bucket with its S3 error code, not as a missing object', async () => {
    const noBucket = new S3ObjectStore({ ...settings, bucket: 'no-such-bucket-here' });
    await expect(noBucket.put('x.png', new Uint8Array([1]), 'image/png')).rejects.toMatchObject({ status: 404, code: 'NoSuchBucket' });
    await expect(noBucket.get('x.png')).rejects.toBeInstanceOf(S3Error);
  });

  it('throws (for a retry) when the server cannot be reached', async () => {
    const dead = new S3ObjectStore({ ...settings, endpoint: 'http://127.0.0.1:9' });
    await expect(dead.put('x.png', new Uint8Array([1]), 'image/png')).rejects.toThrow();
  });
});

describe('S3 object store on a server that honours If-None-Match', () => {
  let server: Awaited<ReturnType<typeof startS3rver>>;
  const conditional = async () => new S3ObjectStore({ ...settings, endpoint: server.endpoint });
  beforeAll(async () => {
    server = await startS3rver(0, [BUCKET], { conditionalWrites: true });
  });
  afterAll(() => server.close());

  objectStoreContract('S3 with conditional writes', conditional);

  it('finds the capability, and leaves no probe object', async () => {
    const s = await conditional();
    expect(await s.conditionalWrites()).toBe(true);
    expect(await s.list(PROBE_PREFIX)).toEqual([]);
  });
});

describe('S3 object store: requests', () => {
  it('creates in one conditional PUT where the store honours it, with a HEAD and a PUT where it does not', async () => {
    // The probe's second PUT answers 412 (honoured), then a create's PUT answers 412 (taken).
    const honours = await recorder((n) => (n === 2 || n === 5 ? [412, '<Error><Code>PreconditionFailed</Code></Error>'] : [200, '']));
    const s = new S3ObjectStore({ ...settings, endpoint: honours.endpoint });
    expect(await s.create('a/b.png', new Uint8Array([1]), 'image/png')).toBe(true);
    expect(await s.create('a/b.png', new Uint8Array([1]), 'image/png')).toBe(false);
    const calls = honours.seen.map((r) => [r.method, r.url!.replace(/imgflo-probe\/[0-9a-f-]+/, 'imgflo-probe/*'), r.headers['if-none-match']]);
    expect(calls).toEqual([
      ['PUT', `/${BUCKET}/imgflo-probe/*`, '*'],
      ['PUT', `/${BUCKET}/imgflo-probe/*`, '*'],
      ['DELETE', `/${BUCKET}/imgflo-probe/*`, undefined],
      ['PUT', `/${BUCKET}/a/b.png`, '*'],
      ['PUT', `/${BUCKET}/a/b.png`, '*'],
    ]);
    await honours.close();
    // Both probe PUTs written (the header ignored): a HEAD (404: free), then the PUT.
    const ignores = await recorder((n) => (n === 4 ? [404, ''] : [200, '']));
    const plain = new S3ObjectStore({ ...settings, endpoint: ignores.endpoint });
    expect(await plain.create('a/b.png', new Uint8Array([1]), 'image/png')).toBe(true);
    expect(ignores.seen.slice(3).map((r) => [r.method, r.url, r.headers['if-none-match']])).toEqual([
      ['HEAD', `/${BUCKET}/a/b.png`, undefined],
      ['PUT', `/${BUCKET}/a/b.png`, undefined],
    ]);
    await ignores.close();
  });

  it('takes a store that refuses the header (501) as one without it, and asks again after a failed probe', async () => {
    const refuses = await recorder((n) => (n === 1 ? [501, '<Error><Code>NotImplemented</Code></Error>'] : [200, '']));
    const s = new S3ObjectStore({ ...settings, endpoint: refuses.endpoint });
    expect(await s.conditionalWrites()).toBe(false);
    await refuses.close();
    const away = new S3ObjectStore({ ...settings, endpoint: 'http://127.0.0.1:9' });
    await expect(away.conditionalWrites()).rejects.toThrow();
    await expect(away.conditionalWrites()).rejects.toThrow();
  });

  it('tries a 5xx once more, and not a 4xx', async () => {
    const flaky = await recorder((n) => (n === 1 ? [503, '<Error><Code>SlowDown</Code></Error>'] : [200, '']));
    const s = new S3ObjectStore({ ...settings, endpoint: flaky.endpoint });
    await s.put('a/b.png', new Uint8Array([1, 2]), 'image/png');
    expect(flaky.seen.map((r) => [r.method, r.url])).toEqual([
      ['PUT', `/${BUCKET}/a/b.png`],
      ['PUT', `/${BUCKET}/a/b.png`],
    ]);
    await flaky.close();
    const denied = await recorder(() => [403, '<Error><Code>AccessDenied</Code></Error>']);
    await expect(new S3ObjectStore({ ...settings, endpoint: denied.endpoint }).head('k')).rejects.toMatchObject({ status: 403 });
    expect(denied.seen).toHaveLength(1);
    await denied.close();
  });

  it('signs each request as the AWS SDK signer does', async () => {
    const r = await recorder(() => [200, '']);
    const s = new S3ObjectStore({ ...settings, endpoint: r.endpoint, region: 'auto' });
    await s.put("results/a b+(1)!.webp", new Uint8Array([1, 2, 3]), 'image/webp');
    await s.head('results/k.webp');
    for (const req of r.seen) {
      const auth = /^AWS4-HMAC-SHA256 Credential=S3RVER\/\d{8}\/auto\/s3\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(req.headers.authorization ?? '');
      expect(auth).not.toBeNull();
      const signed = auth![1]!.split(';');
      expect(signed).toEqual(expect.arrayContaining(['host', 'x-amz-content-sha256', 'x-amz-date']));
      const headers = Object.fromEntries(signed.map((h) => [h, String(req.headers[h])]));
      const date = req.headers['x-amz-date'] as string;
      const signingDate = new Date(`${date.slice(0, 4)}-${date.slice(4, 6)}-${date.slice(6, 11)}:${date.slice(11, 13)}:${date.slice(13)}`);
      const signer = new SignatureV4({ service: 's3', region: 'auto', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' }, sha256: NodeSha256, uriEscapePath: false });
      const expected = await signer.sign({ method: req.method!, protocol: 'http:', hostname: '127.0.0.1', path: req.url!, headers, query: {} }, { signingDate });
      expect(req.headers.authorization).toBe(expected.headers.authorization);
    }
    expect(r.seen[0]?.url).toBe(`/${BUCKET}/results/a%20b%2B%281%29%21.webp`);
    await r.close();
  });

  it('without keys in its settings, takes credentials from the AWS chain (here the environment, with a session token)', async () => {
    const r = await recorder(() => [200, '']);
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'CHAINKEY', AWS_SECRET_ACCESS_KEY: 'chain-secret', AWS_SESSION_TOKEN: 'session-1' });
    try {
      await new S3ObjectStore({ ...settings, endpoint: r.endpoint, accessKeyId: null, secretAccessKey: null }).head('k');
    } finally {
      process.env = saved;
    }
    expect(r.seen[0]?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=CHAINKEY\/.*x-amz-security-token.*Signature=/);
    expect(r.seen[0]?.headers['x-amz-security-token']).toBe('session-1');
    await r.close();
  });

  it('addresses the bucket by host name on AWS and unless path style is asked for, by path otherwise', () => {
    const at = (s: Partial<S3Settings>) => {
      const { base, prefix } = bucketAddress({ ...settings, endpoint: null, forcePathStyle: false, ...s });
      return base.origin + prefix;
    };
    expect(at({ region: 'eu-west-1' })).toBe('https://imgflo-test.s3.eu-west-1.amazonaws.com/');
    expect(at({ endpoint: 'https://acct.r2.cloudflarestorage.com', forcePathStyle: true })).toBe('https://acct.r2.cloudflarestorage.com/imgflo-test/');
    expect(at({ endpoint: 'https://minio.internal:9000', forcePathStyle: false })).toBe('https://imgflo-test.minio.internal:9000/');
    expect(at({ endpoint: 'http://127.0.0.1:4568/s3/', forcePathStyle: true })).toBe('http://127.0.0.1:4568/s3/imgflo-test/');
  });
});

/** node:crypto's SHA-256 in the shape the SDK's signer takes. */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.hash = secret ? createHmac('sha256', toBytes(secret)) : createHash('sha256');
  }
  update(data: string | ArrayBuffer | ArrayBufferView) {
    this.hash.update(toBytes(data));
  }
  async digest() {
    return new Uint8Array(this.hash.digest());
  }
}

const toBytes = (d: string | ArrayBuffer | ArrayBufferView) =>
  typeof d === 'string' ? d : d instanceof ArrayBuffer ? new Uint8Array(d) : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
