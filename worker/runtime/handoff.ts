/**
 * How a job's images reach its processing process. Through the IPC pipe, an input of a few MB
 * costs the serving thread a structured-clone copy and the pipe's writes (about 3.5 ms per 4 MB,
 * and the garbage of the copy); written to a file in memory (`/dev/shm`, else the temporary
 * folder) by libuv's threads instead, it costs the serving thread nearly nothing, and the
 * processing process reads it back on its own threads. Small images, and any a file cannot be
 * written for (a full `/dev/shm`), go through the pipe as before. The parent removes a job's
 * files once the job is answered, or its process killed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { contentDigest } from './digest.ts';

/** An image as sent: its bytes, or the file that holds them. */
export type Handed = Uint8Array | { file: string };

/** Below this size an image goes through the pipe: a file's calls cost more than the copy. */
export const FILE_HANDOFF_BYTES = 256 * 1024;

/** The name of a pool's folder starts with this, then the pid of its process. */
export const HANDOFF_FOLDER = 'imgflo-handoff-';

/** The folder of one pool's files, in memory where the system has it; removed with `dispose`. */
export function handoffFolder(): { dir: string; dispose(): void } {
  const name = `${HANDOFF_FOLDER}${process.pid}-`;
  let dir: string;
  try {
    dir = mkdtempSync(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), name));
  } catch {
    dir = mkdtempSync(join(tmpdir(), name));
  }
  return { dir, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The image as sent: a file written at `path` when it is large and the write succeeds, else its bytes. */
export async function hand(bytes: Uint8Array, path: string): Promise<Handed> {
  if (bytes.byteLength < FILE_HANDOFF_BYTES) return bytes;
  try {
    await writeFile(path, bytes);
    return { file: path };
  } catch {
    await unlink(path).catch(() => undefined);
    return bytes;
  }
}

/** The image's bytes, in the processing process. */
export const received = async (h: Handed): Promise<Uint8Array> => ('file' in h ? readFile(h.file) : h);

/** The digests of a job's images, taken by the processing process (off the serving thread): the input's and each other image's by inport. */
export interface ImageDigests {
  input: string | null;
  images: Record<string, string>;
}

export function digestsOf(input: Uint8Array | null, images: Readonly<Record<string, Uint8Array>>): ImageDigests {
  return { input: input && contentDigest(input), images: Object.fromEntries(Object.entries(images).map(([name, bytes]) => [name, contentDigest(bytes)])) };
}
