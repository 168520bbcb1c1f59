/**
 * A processing process: runs one job's pipeline at a time and answers with the encoded result
 * or a typed error body. Its parent (processor.ts) kills it, with all of its native work and
 * memory, at the job's deadline or past the memory limit.
 */
import sharp from 'sharp';
import { isImgfloError } from '../../shared/errors.ts';
import { rmSync } from 'node:fs';
import { runTask } from '../runtimes/index.ts';
import { jobDirOf, type ProcessingAnswer, type ProcessingTask } from './task.ts';

/** What the parent sends, and what this process answers (with its CPU time so far, in µs). */
export type ChildRequest = { id: number; task: ProcessingTask };
export type ChildMessage = { ready: true } | { id: number; answer: ProcessingAnswer; cpuMicros: number };

async function answer(task: ProcessingTask): Promise<ProcessingAnswer> {
  try {
    const out = await runTask(task);
    return { ok: true, body: out.body, contentType: out.contentType };
  } catch (e) {
    if (isImgfloError(e)) return { ok: false, error: e.toBody() };
    return { ok: false, bug: e instanceof Error ? (e.stack ?? e.message) : String(e) };
  }
}

if (process.send) {
  const send = process.send.bind(process) as (message: ChildMessage) => boolean;
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
  send({ ready: true });
}
