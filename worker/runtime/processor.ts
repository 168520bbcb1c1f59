/**
 * Image work off the serving thread: a pool of processing threads (piscina), one job per
 * thread at a time. A job still running at its deadline has its thread terminated (a new one
 * takes its place) and answers 422 `processing-timeout`; the main thread, which serves
 * /health, /metrics, the embedded routes and the broker's heartbeats, never waits on pixels.
 */
import { Piscina } from 'piscina';
import { ImgfloError, processingTimeout } from '../../shared/errors.ts';
import type { ThreadAnswer, ThreadTask } from './thread.ts';

export interface Processed {
  body: Uint8Array;
  contentType: string;
}

export interface Processor {
  /** Runs a task until `task.limits.deadline`; typed errors for everything an input can cause. */
  run(task: ThreadTask): Promise<Processed>;
  close(): Promise<void>;
}

/** Thrown for a failure that is a bug of the service, with the thread's stack. */
export class ProcessingBug extends Error {}

export function createProcessor(threads: number, timeoutMs: number): Processor {
  const pool = new Piscina<ThreadTask, ThreadAnswer>({
    // The bundle's thread.mjs sits beside its main.mjs; the sources' thread.mjs beside this file.
    filename: new URL('./thread.mjs', import.meta.url).href,
    minThreads: threads,
    maxThreads: threads,
    concurrentTasksPerWorker: 1,
    idleTimeout: Number.MAX_SAFE_INTEGER,
  });
  return {
    async run(task) {
      // The input is copied to the thread (not moved): callers may still hold it, e.g. a store.
      const signal = AbortSignal.timeout(Math.max(1, task.limits.deadline - Date.now()));
      let answer: ThreadAnswer;
      try {
        answer = await pool.run(task, { signal });
      } catch (e) {
        if (signal.aborted) throw processingTimeout(timeoutMs);
        throw e;
      }
      if (answer.ok) return { body: Buffer.from(answer.body.buffer, answer.body.byteOffset, answer.body.byteLength), contentType: answer.contentType };
      if ('error' in answer) throw ImgfloError.fromBody(answer.error);
      throw new ProcessingBug(answer.bug);
    },
    close: () => pool.destroy(),
  };
}
