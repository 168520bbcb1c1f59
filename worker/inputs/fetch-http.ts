/**
 * Fetches an http(s) input with a total deadline, at most 3 redirects (each checked again) and
 * a byte cap enforced while streaming. Errors name the input URL as the client wrote it.
 */
import { inputFetchFailed, inputTooLarge } from '../../shared/errors.ts';

export interface FetchLimits {
  maxInputBytes: number;
  fetchTimeoutMs: number;
}

const MAX_REDIRECTS = 3;

export async function fetchHttp(url: string, limits: FetchLimits, shownAs: string): Promise<Uint8Array> {
  const signal = AbortSignal.timeout(limits.fetchTimeoutMs);
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const target = new URL(current);
      if (target.protocol !== 'http:' && target.protocol !== 'https:') {
        throw inputFetchFailed(shownAs, `scheme ${target.protocol} is not allowed`);
      }
      const res = await fetch(target, {
        redirect: 'manual',
        signal,
        headers: { 'user-agent': 'imgflo', accept: 'image/*' },
      });
      if (res.status >= 300 && res.status < 400 && res.headers.has('location')) {
        await res.body?.cancel();
        if (hop >= MAX_REDIRECTS) throw inputFetchFailed(shownAs, 'too many redirects');
        current = new URL(res.headers.get('location')!, target).href;
        continue;
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw inputFetchFailed(shownAs, `HTTP error ${res.status}`);
      }
      return await readCapped(res, limits.maxInputBytes);
    }
  } catch (e) {
    if (e instanceof Error && e.name === 'ImgfloError') throw e;
    const reason = signal.aborted ? 'timed out' : 'connection failed';
    throw inputFetchFailed(shownAs, reason);
  }
}

async function readCapped(res: Response, max: number): Promise<Uint8Array> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel();
    throw inputTooLarge(max);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body?.getReader();
  for (;;) {
    const next = await reader?.read();
    if (!next || next.done) break;
    size += next.value.byteLength;
    if (size > max) {
      await reader!.cancel();
      throw inputTooLarge(max);
    }
    chunks.push(next.value);
  }
  return Buffer.concat(chunks, size);
}
