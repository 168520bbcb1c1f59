/**
 * ffmpeg and ffprobe as separate, killable processes: found at IMGFLO_FFMPEG (ffprobe beside
 * it) or on PATH, started without a shell from fixed argument lists (nothing of a URL in them
 * but validated numbers), and killed at the job's deadline. A processing process leads its own
 * process group (processor.ts), so killing it at the deadline takes its ffmpeg along.
 *
 * Every file a job gives ffmpeg lives in the processing process's own folder (`jobDir`), removed
 * when the job ends and, should the process be killed first, by the pool when it is reaped.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ImgfloError, processingTimeout } from '../../shared/errors.ts';
import { jobDirOf } from '../runtime/task.ts';

/** The ffmpeg binary: IMGFLO_FFMPEG, else `ffmpeg` on PATH. */
export const ffmpegPath = () => process.env.IMGFLO_FFMPEG || 'ffmpeg';
/** ffprobe: beside IMGFLO_FFMPEG, else on PATH. */
export const ffprobePath = () => (process.env.IMGFLO_FFMPEG ? join(dirname(process.env.IMGFLO_FFMPEG), 'ffprobe') : 'ffprobe');

/** Whether ffmpeg and ffprobe run here (asked once a process). */
let found: boolean | null = null;
export function haveFfmpeg(): boolean {
  found ??= [ffmpegPath(), ffprobePath()].every((bin) => spawnSync(bin, ['-version'], { stdio: 'ignore', timeout: 10_000 }).status === 0);
  return found;
}

/** The same question without blocking, for the serving process (which only tells the operator): half a second here. */
export async function ffmpegFound(): Promise<boolean> {
  const runs = (bin: string) => new Promise<boolean>((resolve) => execFile(bin, ['-version'], { timeout: 10_000 }, (e) => resolve(!e)));
  return (await Promise.all([runs(ffmpegPath()), runs(ffprobePath())])).every(Boolean);
}

/** The typed error of a video URL where ffmpeg is not installed. */
export const videoOff = () =>
  new ImgfloError(501, 'video-unavailable', 'Video is off on this service: install ffmpeg (Debian: apt-get install ffmpeg) or set IMGFLO_FFMPEG');


/** Runs `work` with a fresh job folder, removed when it ends however it ends. */
export async function withJobDir<T>(work: (dir: string) => Promise<T>): Promise<T> {
  const dir = jobDirOf(process.pid);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    return await work(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Run {
  /** Resolves with its standard output once it exits 0; rejects with what it wrote to stderr. */
  done: Promise<Buffer>;
  /** Its standard input, for frames. */
  stdin: NodeJS.WritableStream;
  /** Its standard output, for frames (then `done` resolves with nothing collected). */
  stdout: NodeJS.ReadableStream;
}

/**
 * Starts `bin` with `args` (never through a shell), killed at `deadline` (epoch ms): then it
 * rejects with 422 `processing-timeout`. `collect`: gather its standard output for `done`.
 */
export function run(bin: string, args: readonly string[], deadline: number, collect = true): Run {
  const child = spawn(bin, args, { stdio: ['pipe', 'pipe', 'pipe'], shell: false });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  if (collect) child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));
  // A reader that stopped early is not our error: the exit status says what happened.
  child.stdin.on('error', () => undefined);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, Math.max(0, deadline - Date.now()));
  const done = new Promise<Buffer>((resolve, reject) => {
    child.on('error', (e) => reject(e));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) return reject(processingTimeout());
      if (code === 0) return resolve(Buffer.concat(out));
      // A plain Error: the step that ran it types it as the input's fault (pipeline.ts).
      reject(new Error(`${bin} exited with ${signal ?? `code ${code}`}: ${Buffer.concat(err).toString('utf8').slice(0, 2000).trim()}`));
    });
  });
  done.catch(() => undefined);
  return { done, stdin: child.stdin, stdout: child.stdout };
}
