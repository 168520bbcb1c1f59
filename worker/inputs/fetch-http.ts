/**
 * Fetches an http(s) input so that it cannot be turned against the network: the host is
 * resolved by us, every resolved address is checked, and the connection goes to the checked
 * address (no second lookup); at most 3 redirects, each checked the same way; a total deadline;
 * the body streamed with a byte cap. Errors name the input URL as the client wrote it.
 */
import { lookup as dnsLookup } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { inputFetchFailed, inputTooLarge, ImgfloError } from '../../shared/errors.ts';
import { ipFamily, isPublicAddress } from './address-policy.ts';

export interface FetchLimits {
  maxInputBytes: number;
  fetchTimeoutMs: number;
  /** Lifts the address checks (development and tests). */
  allowPrivate?: boolean;
  /** When set, only these hosts (and their subdomains) may be fetched. */
  allowedHosts?: readonly string[];
  /** Which resolved addresses a connection may go to (default: public unicast only). */
  addressAllowed?: (address: string) => boolean;
}

const MAX_REDIRECTS = 3;

/** What a server says identifies a version of what it served. */
export interface Validators {
  etag?: string;
  lastModified?: string;
}

/** A source fetched: its bytes and validators, or (asked conditionally) that it has not changed. */
export type Fetched = { modified: true; body: Uint8Array; validators: Validators } | { modified: false };

class Blocked extends Error {}

/** A DNS lookup that answers only with allowed addresses, so the socket can reach no other. */
const checkedLookup = (allowed: (address: string) => boolean): LookupFunction => (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, '', 4);
    const list = addresses as unknown as Array<{ address: string; family: number }>;
    const refused = list.find((a) => !allowed(a.address));
    if (refused || list.length === 0) return callback(new Blocked(`${hostname} resolves to a blocked address`), '', 4);
    if ((options as { all?: boolean }).all) return callback(null, list as never, 0);
    callback(null, list[0]!.address, list[0]!.family);
  });
};

function hostAllowed(url: URL, limits: FetchLimits): boolean {
  if (!limits.allowedHosts || limits.allowedHosts.length === 0) return true;
  const host = url.hostname.toLowerCase();
  return limits.allowedHosts.some((h) => host === h || host.endsWith(`.${h}`));
}

export async function fetchHttp(url: string, limits: FetchLimits, shownAs: string): Promise<Uint8Array> {
  const fetched = await fetchSource(url, limits, shownAs);
  return fetched.modified ? fetched.body : new Uint8Array();
}

/**
 * The source at `url`, with its validators; given the validators of a version seen before, a
 * conditional request (If-None-Match, If-Modified-Since) that a server may answer 304.
 */
export async function fetchSource(url: string, limits: FetchLimits, shownAs: string, seen?: Validators): Promise<Fetched> {
  const deadline = AbortSignal.timeout(limits.fetchTimeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const target = new URL(current);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw inputFetchFailed(shownAs, `scheme ${target.protocol} is not allowed`);
      }
      const allowed = limits.allowPrivate ? null : (limits.addressAllowed ?? isPublicAddress);
      if (!hostAllowed(target, limits)) throw inputFetchFailed(shownAs, 'host is not allowed');
      // An IP literal is not looked up, so it is checked here (the URL parser has already
      // turned decimal, octal and hex IPv4 spellings into the dotted form).
      if (allowed && ipFamily(target.hostname) !== 0 && !allowed(target.hostname.replace(/^\[|\]$/g, ''))) {
        throw inputFetchFailed(shownAs, 'address is not allowed');
      }
      const res = await request(target, allowed, deadline, seen);
      const location = res.headers.location;
      if (res.statusCode && res.statusCode >= 300 && res.statusCode < 400 && location) {
        res.resume();
        if (hop >= MAX_REDIRECTS) throw inputFetchFailed(shownAs, 'too many redirects');
        current = new URL(location, target).href;
        continue;
      }
      if (res.statusCode === 304 && seen) {
        res.resume();
        return { modified: false };
      }
      if (res.statusCode !== 200) {
        res.resume();
        throw inputFetchFailed(shownAs, `HTTP error ${res.statusCode}`);
      }
      const etag = res.headers.etag;
      const lastModified = res.headers['last-modified'];
      const validators: Validators = { ...(etag && { etag }), ...(lastModified && { lastModified }) };
      return { modified: true, body: await readCapped(res, limits.maxInputBytes), validators };
    }
  } catch (e) {
    if (e instanceof ImgfloError) throw e;
    if (e instanceof Blocked || (e as { cause?: unknown }).cause instanceof Blocked) throw inputFetchFailed(shownAs, 'address is not allowed');
    throw inputFetchFailed(shownAs, deadline.aborted ? 'timed out' : 'connection failed');
  }
}

function request(url: URL, allowed: ((address: string) => boolean) | null, signal: AbortSignal, seen?: Validators): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      signal,
      agent: false,
      headers: {
        'user-agent': 'imgflo',
        accept: 'image/*',
        ...(seen?.etag && { 'if-none-match': seen.etag }),
        ...(seen?.lastModified && { 'if-modified-since': seen.lastModified }),
      },
      ...(allowed && { lookup: checkedLookup(allowed) }),
    });
    req.on('response', resolve);
    req.on('error', reject);
    req.end();
  });
}

function readCapped(res: IncomingMessage, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers['content-length'] ?? NaN);
  if (declared > max) {
    res.destroy();
    return Promise.reject(inputTooLarge(max));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > max) {
        res.destroy();
        reject(inputTooLarge(max));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks, size)));
    res.on('error', reject);
  });
}
