/**
 * The object store on S3 or anything that speaks it (Cloudflare R2, MinIO, s3rver). Objects
 * are content-addressed, so they are written once with an immutable Cache-Control.
 *
 * Plain REST calls (HEAD, PUT, GET, DELETE, and ListObjectsV2), signed with Signature V4 by `aws4` and sent
 * over keep-alive sockets of node:http(s). The AWS SDK's client did the same through a
 * middleware stack that cost about 4 ms of CPU per HEAD and PUT, a third of the worker's
 * serving thread per miss (bench/README.md). Without keys in the settings, credentials come
 * from the SDK's own provider chain (environment, profile, instance and pod roles) and are
 * refreshed before they expire.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import aws4 from 'aws4';
import type { ListedObject, ObjectStore, StoredObject } from '../../shared/ports.ts';

export interface S3Settings {
  bucket: string;
  region: string;
  endpoint: string | null;
  forcePathStyle: boolean;
  accessKeyId: string | null;
  secretAccessKey: string | null;
}

interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A non-2xx answer: its status and S3's error code, e.g. `NoSuchBucket`. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    what: string,
  ) {
    super(`S3 ${what}: ${status} ${code}`);
    this.name = 'S3Error';
  }
}

const TIMEOUT_MS = 30_000;

/** Where the capability probe writes (and at once deletes) its object. */
export const PROBE_PREFIX = 'imgflo-probe/';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** RFC 3986 encoding of each path segment, as Signature V4 canonicalises it. */
const encodeKey = (key: string) =>
  key
    .split('/')
    .map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');

function credentialSource(s: S3Settings): () => Promise<Credentials> {
  if (s.accessKeyId && s.secretAccessKey) {
    const fixed = { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey };
    return async () => fixed;
  }
  // The SDK's default chain, memoized by the SDK and refreshed before its credentials expire.
  const chain = import('@aws-sdk/credential-provider-node').then(({ defaultProvider }) => defaultProvider());
  return async () => (await chain)();
}

/** Where the bucket's objects are: the origin, and the path before each encoded key. */
export function bucketAddress(s: Pick<S3Settings, 'bucket' | 'region' | 'endpoint' | 'forcePathStyle'>): { base: URL; prefix: string } {
  const endpoint = new URL(s.endpoint ?? `https://s3.${s.region}.amazonaws.com`);
  if (s.forcePathStyle) return { base: endpoint, prefix: `${endpoint.pathname.replace(/\/$/, '')}/${encodeKey(s.bucket)}/` };
  return { base: new URL(`${endpoint.protocol}//${s.bucket}.${endpoint.host}`), prefix: '/' };
}

export class S3ObjectStore implements ObjectStore {
  private readonly base: URL;
  private readonly prefix: string;
  private readonly agent: http.Agent;
  private readonly credentials: () => Promise<Credentials>;
  private conditional: Promise<boolean> | null = null;

  constructor(private readonly s: S3Settings) {
    ({ base: this.base, prefix: this.prefix } = bucketAddress(s));
    const secure = this.base.protocol === 'https:';
    this.agent = new (secure ? https : http).Agent({ keepAlive: true, maxSockets: 64 });
    this.credentials = credentialSource(s);
  }

  async head(objectKey: string): Promise<StoredObject | null> {
    const r = await this.call('HEAD', objectKey);
    if (!r) return null;
    return { contentType: r.headers['content-type'] ?? 'application/octet-stream', size: Number(r.headers['content-length'] ?? 0) };
  }

  async get(objectKey: string): Promise<{ body: Uint8Array; contentType: string } | null> {
    const r = await this.call('GET', objectKey);
    return r && { body: r.body, contentType: r.headers['content-type'] ?? 'application/octet-stream' };
  }

  async put(objectKey: string, body: Uint8Array, contentType: string): Promise<void> {
    await this.call('PUT', objectKey, body, { 'content-type': contentType, 'cache-control': IMMUTABLE });
  }

  /**
   * One conditional PUT (`If-None-Match: *`: 412 when the key is taken) where the store honours
   * it; elsewhere (s3rver, older S3-compatible servers) a HEAD, then the PUT, as before.
   */
  async create(objectKey: string, body: Uint8Array, contentType: string): Promise<boolean> {
    if (!(await this.conditionalWrites())) {
      if (await this.head(objectKey)) return false;
      await this.put(objectKey, body, contentType);
      return true;
    }
    try {
      await this.call('PUT', objectKey, body, { 'content-type': contentType, 'cache-control': IMMUTABLE, 'if-none-match': '*' });
      return true;
    } catch (e) {
      if (e instanceof S3Error && e.status === 412) return false;
      throw e;
    }
  }

  /**
   * Whether the store honours `If-None-Match: *` on PUT (S3 since 2024, R2, MinIO): found once
   * per process by writing a probe object twice (the second must answer 412), then deleting it.
   * A store that ignores the header writes both; one that refuses it answers 4xx or 501. A failed
   * probe (the store away) is tried again at the next write.
   */
  conditionalWrites(): Promise<boolean> {
    this.conditional ??= this.probe().catch((e: unknown) => {
      this.conditional = null;
      throw e;
    });
    return this.conditional;
  }

  private async probe(): Promise<boolean> {
    const key = `${PROBE_PREFIX}${randomUUID()}`;
    const write = () => this.once('PUT', key, new Uint8Array(0), { 'content-type': 'application/octet-stream', 'if-none-match': '*' });
    const refused = (e: unknown) => e instanceof S3Error && (e.status < 500 || e.status === 501);
    try {
      try {
        await write();
      } catch (e) {
        if (refused(e)) return false;
        throw e;
      }
      try {
        await write();
        return false;
      } catch (e) {
        if (e instanceof S3Error && e.status === 412) return true;
        if (refused(e)) return false;
        throw e;
      }
    } finally {
      await this.call('DELETE', key).catch(() => undefined);
    }
  }

  async delete(objectKey: string): Promise<void> {
    await this.call('DELETE', objectKey);
  }

  async list(prefix: string): Promise<ListedObject[]> {
    const listed: ListedObject[] = [];
    let token: string | null = null;
    do {
      const query = new URLSearchParams({ 'list-type': '2', prefix, ...(token && { 'continuation-token': token }) });
      const r = await this.call('GET', '', undefined, {}, query);
      const xml = Buffer.from(r?.body ?? []).toString('utf8');
      for (const [, entry] of xml.matchAll(/<Contents>([\s\S]*?)<\/Contents>/g)) {
        const key = /<Key>([^<]*)<\/Key>/.exec(entry!)?.[1];
        const modified = /<LastModified>([^<]*)<\/LastModified>/.exec(entry!)?.[1];
        if (key !== undefined && modified !== undefined) listed.push({ key: unescapeXml(key), lastModified: Date.parse(modified) });
      }
      token = /<IsTruncated>true<\/IsTruncated>/.test(xml) ? unescapeXml(/<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1] ?? '') || null : null;
    } while (token);
    return listed;
  }

  /** One call, tried again once on a network error or a 5xx (every call here is idempotent); null when the object does not exist. */
  private async call(method: string, key: string, body?: Uint8Array, headers: Record<string, string> = {}, query?: URLSearchParams) {
    try {
      return await this.once(method, key, body, headers, query);
    } catch (e) {
      if (e instanceof S3Error && e.status < 500) throw e;
      return this.once(method, key, body, headers, query);
    }
  }

  private async once(method: string, key: string, body: Uint8Array | undefined, extra: Record<string, string>, query?: URLSearchParams) {
    const request = {
      protocol: this.base.protocol,
      host: this.base.hostname,
      port: this.base.port || undefined,
      method,
      path: this.prefix + encodeKey(key) + (query ? `?${query.toString().replace(/\+/g, '%20')}` : ''),
      service: 's3',
      region: this.s.region,
      // Left unsigned, as the AWS SDK leaves it: caches and proxies may rewrite it.
      extraHeadersToIgnore: { 'cache-control': true },
      headers: {
        ...extra,
        ...(body && { 'content-length': String(body.byteLength) }),
        'x-amz-content-sha256': 'UNSIGNED-PAYLOAD',
      } as Record<string, string>,
    };
    aws4.sign(request, await this.credentials());
    return new Promise<{ headers: http.IncomingHttpHeaders; body: Uint8Array } | null>((resolve, reject) => {
      const req = (request.protocol === 'https:' ? https : http).request({ ...request, agent: this.agent, timeout: TIMEOUT_MS }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const data = Buffer.concat(chunks);
          if (status >= 200 && status < 300) return resolve({ headers: res.headers, body: data });
          // A HEAD's answer has no body to name the error: its 404 is the missing object.
          const code = /<Code>([^<]*)<\/Code>/.exec(data.toString('utf8'))?.[1] ?? (method === 'HEAD' && status === 404 ? 'NoSuchKey' : 'Error');
          if (status === 404 && code === 'NoSuchKey' && method !== 'PUT') return resolve(null);
          reject(new S3Error(status, code, `${method} ${key}`));
        });
      });
      req.on('timeout', () => req.destroy(new Error(`S3 ${method} ${key}: no answer in ${TIMEOUT_MS} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }
}

const XML_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const unescapeXml = (s: string) => s.replace(/&(amp|lt|gt|quot|apos);/g, (_, e: string) => XML_ENTITIES[e]!);
