/**
 * A processing process: runs one job's pipeline at a time and answers with the encoded result
 * or a typed error body. Its parent (processor.ts) kills it, with all of its native work and
 * memory, at the job's deadline or past the memory limit.
 */
import sharp from 'sharp';
import { isImgfloError } from '../../shared/errors.ts';
import { rmSync } from 'node:fs';
import { runTask } from '../runtimes/index.ts';
import { digestsOf, received } from './handoff.ts';
import { jobDirOf, type HandedTask, type ProcessingAnswer } from './task.ts';

/** What the parent sends, and what this process answers (with its CPU time so far, in µs). */
export type ChildRequest = { id: number; task: HandedTask };
export type ChildMessage = { ready: true } | { id: number; answer: ProcessingAnswer; cpuMicros: number };

/** A tiny image decoded, scaled and written in every output format, on libvips' code paths of a job. */
async function warmUp(): Promise<void> {
  try {
    const input = await sharp({ create: { width: 64, height: 48, channels: 3, background: '#7f8c8d' } }).jpeg().toBuffer();
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'gif'] as const) await sharp(input).resize(32).toFormat(format).toBuffer();
  } catch {
    // A codec missing here fails its own jobs, typed; the process still serves the others.
  }
}

async function answer(handed: HandedTask): Promise<ProcessingAnswer> {
  try {
    const input = handed.input && (await received(handed.input));
    const images = Object.fromEntries(await Promise.all(Object.entries(handed.images ?? {}).map(async ([name, h]) => [name, await received(h)] as const)));
    const out = await runTask({ ...handed, input, images });
    return { ok: true, body: out.body, contentType: out.contentType, digests: digestsOf(input, images) };
  } catch (e) {
    if (isImgfloError(e)) return { ok: false, error: e.toBody() };
    return { ok: false, bug: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

if (process.send) {
  // The parent gone meanwhile (its channel closed): nothing to answer, and the process is on its way out.
  const send = (message: ChildMessage) => process.connected && process.send!(message);
  sharp.cache(false);
  sharp.concurrency(Number(process.env.IMGFLO_SHARP_CONCURRENCY) || 1);
  process.on('message', (request: ChildRequest) => {
    void answer(request.task).then((answer) => {
      const cpu = process.cpuUsage();
      send({ id: request.id, answer, cpuMicros: cpu.user + cpu.system });
    });
  });
  // The parent gone (or closing the pool): nothing is left to answer. The job's files go, and
  // the whole process group with it (its ffmpeg, if a video was being made).
  process.on('disconnect', () => {
    rmSync(jobDirOf(process.pid), { recursive: true, force: true });
    try {
      process.kill(-process.pid, 'SIGKILL');
    } catch {
      process.exit(0);
    }
  });
  // Ready once warm: every encoder loaded and run once on a tiny image, so that the first job
  // of a process (a worker scaled out under load) costs what the next ones do.
  void warmUp().finally(() => send({ ready: true }));
}
