/**
 * Reads a job's input: `files/<name>` from the bundled examples on disk (no HTTP), an http(s)
 * URL through the fetcher. (Chained `graph/...` inputs are jobs of their own: consumer.ts.)
 * Checks whether a source still is the version a result was made from: a file by its bytes, a
 * URL by a conditional request (a 304 is unchanged; a 200 with the same bytes too).
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputFetchFailed } from '../../shared/errors.ts';
import { inputKind } from '../../shared/input-ref.ts';
import { didYouMean } from '../../shared/suggest.ts';
import type { SourceVersion } from '../../shared/ports.ts';
import { contentDigest } from '../runtime/digest.ts';
import { fetchSource, type FetchLimits, type Validators } from './fetch-http.ts';

export interface InputReaderOptions {
  examplesDir: string;
  maxInputBytes: number;
  fetchTimeoutMs: number;
  allowPrivateInputs?: boolean;
  inputHosts?: readonly string[];
}

/** Reads an input into a buffer of its own (the caller may hand its memory on); `seen` hears a URL's validators. */
export type InputReader = (input: string, seen?: (validators: Validators) => void) => Promise<Uint8Array>;

/** Whether a (non-chained) source is no longer the version recorded. */
export type SourceChecker = (version: SourceVersion) => Promise<boolean>;


const limitsOf = (options: InputReaderOptions): FetchLimits => ({
  maxInputBytes: options.maxInputBytes,
  fetchTimeoutMs: options.fetchTimeoutMs,
  allowPrivate: options.allowPrivateInputs ?? false,
  allowedHosts: options.inputHosts ?? [],
});

async function readExample(options: InputReaderOptions, input: string, name: string): Promise<Uint8Array> {
  try {
    return await readFile(join(options.examplesDir, name));
  } catch {
    const names = await readdir(options.examplesDir).catch(() => [] as string[]);
    throw inputFetchFailed(input, `no example file is named ${name}${didYouMean(name, names)}`);
  }
}

export function createInputReader(options: InputReaderOptions): InputReader {
  const limits = limitsOf(options);
  return async (input, seen) => {
    const ref = inputKind(input);
    if (ref.kind === 'file') return readExample(options, input, ref.name);
    const fetched = await fetchSource(input, limits, input);
    if (!fetched.modified) throw inputFetchFailed(input, 'HTTP error 304');
    seen?.(fetched.validators);
    return fetched.body;
  };
}

export function createSourceChecker(options: InputReaderOptions): SourceChecker {
  const limits = limitsOf(options);
  return async (version) => {
    const ref = inputKind(version.input);
    if (ref.kind === 'file') return contentDigest(await readExample(options, version.input, ref.name)) !== version.digest;
    const fetched = await fetchSource(version.input, limits, version.input, version);
    return fetched.modified && contentDigest(fetched.body) !== version.digest;
  };
}
