/**
 * Presigned result URLs (IMGFLO_STORAGE_URL_MODE=presigned): a private bucket, and a short-lived
 * GET URL made at the edge for each redirect (@aws-sdk/s3-request-presigner).
 */
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

export interface PresignSettings {
  endpoint: string | null;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  forcePathStyle: boolean;
  expiresSeconds: number;
}

export type Presigner = (objectKey: string) => Promise<string>;

export function s3Presigner(s: PresignSettings): Presigner {
  const client = new S3Client({
    region: s.region,
    ...(s.endpoint && { endpoint: s.endpoint }),
    forcePathStyle: s.forcePathStyle,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
  });
  return (objectKey) => getSignedUrl(client, new GetObjectCommand({ Bucket: s.bucket, Key: objectKey }), { expiresIn: s.expiresSeconds });
}
