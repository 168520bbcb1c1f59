/**
 * The object store on S3 or anything that speaks it (Cloudflare R2, MinIO, s3rver). Objects
 * are content-addressed, so they are written once with an immutable Cache-Control.
 *
 * Requests are signed with aws4fetch (SigV4, unsigned payload) and sent with fetch: a worker
 * makes two of them per job, and the AWS SDK's middleware stack spent about 2 ms of CPU on each.
 * Credentials are the configured keys, or else the AWS SDK's default chain (environment,
 * shared files, web identity, instance and container roles), refreshed as they expire.
 */
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { S3Client } from '@aws-sdk/client-s3';
import { AwsClient } from 'aws4fetch';
import type { ObjectStore, StoredObject } from '../../shared/ports.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint: string | null;
  forcePathStyle: boolean;
  accessKeyId: string | null;
  secretAccessKey: string | null;
}

/** An AWS SDK client for the same settings (bucket administration in tests and tools). */
export function createS3Client(s: S3Settings): S3Client {
  return new S3Client({
    region: s.region,
    ...(s.endpoint && { endpoint: s.endpoint }),
    forcePathStyle: s.forcePathStyle,
    ...(s.accessKeyId && s.secretAccessKey && { credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey } }),
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The URL of an object: path-style or virtual-hosted, on the endpoint or on AWS. */
export function objectUrl(s: S3Settings, objectKey: string): string {
  const key = objectKey.split('/').map(encodeURIComponent).join('/');
  const base = new URL(s.endpoint ?? `https://s3.${s.region}.amazonaws.com`);
  if (s.forcePathStyle) return `${base.origin}${base.pathname.replace(/\/+$/, '')}/${s.bucket}/${key}`;
  return `${base.protocol}//${s.bucket}.${base.host}${base.pathname.replace(/\/+$/, '')}/${key}`;
}

const REQUEST_TIMEOUT_MS = 30_000;

export class S3ObjectStore implements ObjectStore {
  private readonly credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;

  constructor(private readonly s: S3Settings) {
    const { accessKeyId, secretAccessKey } = s;
    this.credentials = accessKeyId && secretAccessKey ? async () => ({ accessKeyId, secretAccessKey }) : defaultProvider();
  }

  /** One signed request; a 5xx or 429 answer is tried once more. */
  private async send(method: string, objectKey: string, init: { headers?: Record<string, string>; body?: BodyInit } = {}): Promise<Response> {
    const { accessKeyId, secretAccessKey, sessionToken } = await this.credentials();
    const client = new AwsClient({ accessKeyId, secretAccessKey, sessionToken, service: 's3', region: this.s.region, retries: 1 });
    return client.fetch(objectUrl(this.s, objectKey), { method, ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
  }

  private static async fail(what: string, res: Response): Promise<never> {
    const text = await res.text().catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
    throw new Error(`S3 ${what} answered ${res.status}${code ? ` ${code}` : ''}`);
  }

  async head(objectKey: string): Promise<StoredObject | null> {
    const res = await this.send('HEAD', objectKey);
    if (res.status === 404) return null;
    if (!res.ok) return S3ObjectStore.fail('HEAD', res);
    return { contentType: res.headers.get('content-type') ?? 'application/octet-stream', size: Number(res.headers.get('content-length') ?? 0) };
  }

  async delete(objectKey: string): Promise<void> {
    const res = await this.send('DELETE', objectKey);
    await res.body?.cancel();
    if (!res.ok && res.status !== 404) await S3ObjectStore.fail('DELETE', res);
  }

  async put(objectKey: string, body: Uint8Array, contentType: string): Promise<void> {
    const res = await this.send('PUT', objectKey, {
      headers: { 'Content-Type': contentType, 'Cache-Control': 'public, max-age=31536000, immutable' },
      // Bytes as they are (a Node Buffer's backing store is typed as possibly shared).
      body: body as Uint8Array<ArrayBuffer>,
    });
    if (!res.ok) await S3ObjectStore.fail('PUT', res);
    await res.body?.cancel();
  }

  async get(objectKey: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    const res = await this.send('GET', objectKey);
    if (res.status === 404) {
      await res.body?.cancel();
      return null;
    }
    if (!res.ok) return S3ObjectStore.fail('GET', res);
    return { body: new Uint8Array(await res.arrayBuffer()), contentType: res.headers.get('content-type') ?? 'application/octet-stream' };
  }
}
