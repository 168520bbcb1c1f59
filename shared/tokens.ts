/**
 * URL tokens (SPEC §3.3), computed over `graphspec + search` exactly as sent.
 * v2: base64url(HMAC-SHA256(secret, graphspec + search)), 43 characters.
 * v1: hex(MD5(graphspec + search + secret)), 32 characters: the original imgflo token.
 */
import { md5 } from '@noble/hashes/legacy.js';
import { bytesToHex } from '@noble/hashes/utils.js';

const encoder = new TextEncoder();

export function base64url(bytes: Uint8Array): string {
  let bin = '';
  for (const b of bytes) bin += String.fromCharCode(b);
  return btoa(bin).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
}

function hmacKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    'raw',
    encoder.encode(secret),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign'],
  );
}

export async function tokenV2(secret: string, graphspec: string, search: string): Promise<string> {
  const key = await hmacKey(secret);
  const mac = await crypto.subtle.sign('HMAC', key, encoder.encode(graphspec + search));
  return base64url(new Uint8Array(mac));
}

export function tokenV1(secret: string, graphspec: string, search: string): string {
  return bytesToHex(md5(encoder.encode(graphspec + search + secret)));
}

/** Compares two strings in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

export type TokenVersion = 'v1' | 'v2';

export function tokenVersion(token: string): TokenVersion | null {
  if (/^[A-Za-z0-9_-]{43}$/.test(token)) return 'v2';
  if (/^[0-9a-f]{32}$/.test(token)) return 'v1';
  return null;
}

/** True when the token matches any of the secrets (key rotation), in the form it is written. */
export async function verifyToken(
  token: string,
  secrets: readonly string[],
  graphspec: string,
  search: string,
  options: { legacy: boolean },
): Promise<boolean> {
  const version = tokenVersion(token);
  if (version === null || (version === 'v1' && !options.legacy)) return false;
  let ok = false;
  for (const secret of secrets) {
    if (secret === '') continue;
    const expected =
      version === 'v2' ? await tokenV2(secret, graphspec, search) : tokenV1(secret, graphspec, search);
    ok = constantTimeEqual(token, expected) || ok;
  }
  return ok;
}
