/**
 * Reads a job's input: `files/<name>` from the bundled examples on disk (no HTTP), an http(s)
 * URL through the fetcher. (Chained `graph/...` inputs are jobs of their own: consumer.ts.)
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inputFetchFailed } from '../../shared/errors.ts';
import { fetchHttp, type FetchLimits } from './fetch-http.ts';

export interface InputReaderOptions {
  examplesDir: string;
  maxInputBytes: number;
  fetchTimeoutMs: number;
  allowPrivateInputs?: boolean;
  inputHosts?: readonly string[];
}

/** Reads an input into a buffer of its own (the caller may hand its memory on). */
export type InputReader = (input: string) => Promise<Uint8Array>;

const EXAMPLE = /^files\/([A-Za-z0-9_][A-Za-z0-9_.-]*)$/;

export function createInputReader(options: InputReaderOptions): InputReader {
  const limits: FetchLimits = {
    maxInputBytes: options.maxInputBytes,
    fetchTimeoutMs: options.fetchTimeoutMs,
    allowPrivate: options.allowPrivateInputs ?? false,
    allowedHosts: options.inputHosts ?? [],
  };
  return async (input) => {
    const file = EXAMPLE.exec(input);
    if (file) {
      try {
        return await readFile(join(options.examplesDir, file[1]!));
      } catch {
        throw inputFetchFailed(input, 'HTTP error 404');
      }
    }
    return fetchHttp(input, limits, input);
  };
}
