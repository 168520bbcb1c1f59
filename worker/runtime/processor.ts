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
  /**
   * Runs a task until `task.limits.deadline`; typed errors for everything an input can cause.
   * `owned` are the task's buffers the caller gives up: their memory moves to the thread (no
   * copy), and the caller's buffers are left empty.
   */
  run(task: ThreadTask, options?: { owned?: ReadonlyArray<Uint8Array | null> }): Promise<Processed>;
  close(): Promise<void>;
}

/** An input that alone owns all of its memory can move to a thread; a slice of a shared pool cannot. */
function movable(input: Uint8Array | null): input is Uint8Array & { buffer: ArrayBuffer } {
  return input !== null && input.buffer instanceof ArrayBuffer && input.byteOffset === 0 && input.byteLength === input.buffer.byteLength;
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
    async run(task, options = {}) {
      const signal = AbortSignal.timeout(Math.max(1, task.limits.deadline - Date.now()));
      let answer: ThreadAnswer;
      try {
        const transferList = (options.owned ?? []).filter(movable).map((b) => b.buffer);
        answer = await pool.run(task, { signal, ...(transferList.length > 0 && { transferList }) });
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
