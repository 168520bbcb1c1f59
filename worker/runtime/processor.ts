/**
 * Image work off the serving process: a pool of processing processes (child.ts), one job per
 * process at a time. Native work (librsvg, libvips) cannot be interrupted from JavaScript, so a
 * job still running at its deadline, or holding more memory than the limit, has its process
 * killed (SIGKILL: its threads, its native work and its memory go with it) and answers 422; a
 * new process takes the place of the old at once. The main thread, which serves /health,
 * /metrics, the embedded routes and the broker's heartbeats, never waits on pixels.
 *
 * Memory follows the work: the pool keeps `warm` processes started and warm (a worker's urgent
 * concurrency); when jobs find them all busy, more start, up to one per job the worker runs at
 * once (its pre-warm and video jobs beside the urgent ones), and stop after a while idle.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { unlink } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ImgfloError, processingTimeout, unavailable } from '../../shared/errors.ts';
import type { ChildMessage, ChildRequest } from './child.ts';
import { hand, handoffFolder, type ImageDigests } from './handoff.ts';
import { jobDirOf, type HandedTask, type ProcessingAnswer, type ProcessingTask } from './task.ts';

export type { ProcessingTask } from './task.ts';

export interface Processed {
  body: Uint8Array;
  contentType: string;
  /** The digests of the task's images (the sources' versions), taken by the processing process. */
  digests: ImageDigests;
}

export interface Processor {
  /** Runs a task until `task.limits.deadline`; typed errors for everything an input can cause. */
  run(task: ProcessingTask): Promise<Processed>;
  /** Resolves once every processing process has started and can take a job. */
  ready(): Promise<void>;
  /** The processing processes' ids (for measurements). */
  pids(): number[];
  /** CPU time the processing processes reported with their answers, in µs, since the pool started. */
  cpuMicros(): number;
  close(): Promise<void>;
}

export interface ProcessorOptions {
  /**
   * Processes kept started and warm (default: all): the others start when a job finds every
   * process busy, and stop after `idleMs` without a job. `ready()` waits for the warm ones.
   */
  warm?: number;
  /** How long a process beyond the warm ones stays without a job (default 30 s). */
  idleMs?: number;
  /** A process whose resident memory passes this is killed, and its job answers 422 `size-limit`. */
  memoryLimitMb?: number;
  /** libvips threads per process. */
  sharpConcurrency?: number;
}

/** SIGKILL to a processing process and everything it started (its process group). */
function killGroup(child: ChildProcess): void {
  try {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // Gone already.
  }
}

/** Thrown for a failure that is a bug of the service, with the process's stack. */
export class ProcessingBug extends Error {}

/** How often a busy process's memory is read. */
const MEMORY_POLL_MS = 50;
/** A process that dies before it is ready is started again after this pause, not in a loop. */
const RESTART_PAUSE_MS = 1000;

interface Pending {
  task: HandedTask;
  /** The files its images were handed over in, removed once it is answered. */
  files: string[];
  resolve(p: Processed): void;
  reject(e: unknown): void;
  timer: NodeJS.Timeout;
  slot: Slot | null;
}

interface Slot {
  child: ChildProcess;
  ready: boolean;
  job: { id: number; pending: Pending } | null;
  /** Why this process was killed, for its job's answer. */
  killedFor: ImgfloError | null;
  /** Stopped for want of work (a process beyond the warm ones, idle). */
  retired: boolean;
  idleTimer: NodeJS.Timeout | null;
  cpuMicros: number;
}

/** The resident memory of a process in MB, from /proc (null where there is none). */
function residentMb(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb ? Number(kb) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * The processing process's entry. The bundle's child.mjs sits beside its main.mjs. From the
 * sources, child.ts is bundled once (esbuild, as `npm run build:backend` does, split so that
 * what a job loads on demand — noflo — is loaded only then) into node_modules/.cache, so a new
 * process starts as fast as the bundle's instead of compiling TypeScript through tsx; without
 * esbuild, the sources' child.mjs loads them through tsx.
 */
function childEntry(): URL {
  const beside = new URL('./child.mjs', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return beside;
  try {
    const { buildSync } = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
    const cache = fileURLToPath(new URL('../../node_modules/.cache/imgflo/', import.meta.url));
    const staging = `${cache}staging-${process.pid}-${Date.now()}`;
    const built = buildSync({
      entryPoints: { child: fileURLToPath(new URL('./child.ts', import.meta.url)) },
      bundle: true,
      splitting: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      outdir: staging,
      outExtension: { '.js': '.mjs' },
      chunkNames: 'chunks/[name]-[hash]',
      write: false,
      logLevel: 'silent',
    });
    const digest = createHash('sha256');
    for (const f of built.outputFiles) digest.update(relative(staging, f.path)).update(f.contents);
    const dir = `${cache}child-${digest.digest('hex').slice(0, 16)}`;
    if (!existsSync(dir)) {
      // Written aside, then moved into place at once: a process started meanwhile by another
      // backend never reads a half-written file.
      for (const f of built.outputFiles) {
        mkdirSync(dirname(f.path), { recursive: true });
        writeFileSync(f.path, f.contents);
      }
      try {
        renameSync(staging, dir);
      } catch {
        rmSync(staging, { recursive: true, force: true });
      }
    }
    return pathToFileURL(`${dir}/child.mjs`);
  } catch {
    return beside;
  }
}

export function createProcessor(processes: number, timeoutMs: number, options: ProcessorOptions = {}): Processor {
  const childPath = childEntry();
  const warm = Math.min(processes, options.warm ?? processes);
  const idleMs = options.idleMs ?? 30_000;
  const slots = new Set<Slot>();
  /** Processes that take or will take jobs: not killed, not retired. */
  const live = () => [...slots].filter((s) => !s.killedFor && !s.retired);
  /** A process that died before it was ready holds back starting others until then. */
  let startPausedUntil = 0;
  const queue: Pending[] = [];
  let nextId = 1;
  let closing = false;
  let cpuOfGone = 0;
  let waiters: Array<() => void> = [];
  const allReady = () => live().filter((s) => s.ready).length >= warm;

  const handoff = handoffFolder();
  let handed = 0;

  const settle = (pending: Pending) => {
    clearTimeout(pending.timer);
    const i = queue.indexOf(pending);
    if (i >= 0) queue.splice(i, 1);
    for (const file of pending.files) unlink(file).catch(() => undefined);
  };

  /** The task with its large images written to files (handoff.ts). */
  const handOver = async (task: ProcessingTask): Promise<{ task: HandedTask; files: string[] }> => {
    const n = handed++;
    const named = [...(task.input ? [['', task.input] as const] : []), ...Object.entries(task.images ?? {})];
    const sent = await Promise.all(named.map(([name, bytes], i) => hand(bytes, join(handoff.dir, `${n}-${i}`)).then((h) => [name, h] as const)));
    const { '': input = null, ...images } = Object.fromEntries(sent);
    const files = sent.flatMap(([, h]) => ('file' in h ? [h.file] : []));
    return { task: { ...task, input, images }, files };
  };

  const kill = (slot: Slot, why: ImgfloError) => {
    if (slot.killedFor) return;
    slot.killedFor = why;
    killGroup(slot.child);
    // The job answers now, not when the process is reaped.
    const job = slot.job;
    if (job) {
      settle(job.pending);
      job.pending.reject(why);
    }
  };

  const spawn = () => {
    const child = fork(childPath, [], {
      // Its own process group: killing it kills the ffmpeg it runs too (worker/video/).
      detached: true,
      serialization: 'advanced',
      execArgv: [],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // Two malloc arenas, not glibc's eight per core: libvips' threads otherwise each keep
      // freed memory of their own (sharp's advice); a third less at the peak here, at no CPU cost.
      env: { MALLOC_ARENA_MAX: '2', ...process.env, IMGFLO_SHARP_CONCURRENCY: String(options.sharpConcurrency ?? 1) },
    });
    const slot: Slot = { child, ready: false, job: null, killedFor: null, retired: false, idleTimer: null, cpuMicros: 0 };
    slots.add(slot);
    child.on('message', (message: ChildMessage) => {
      if ('ready' in message) {
        slot.ready = true;
        if (allReady()) {
          const woken = waiters;
          waiters = [];
          for (const wake of woken) wake();
        }
      } else if (slot.job?.id === message.id && !slot.killedFor) {
        const { pending } = slot.job;
        slot.job = null;
        slot.cpuMicros = message.cpuMicros;
        settle(pending);
        answer(pending, message.answer);
      }
      dispatch();
      if (!slot.job) retireWhenIdle(slot);
    });
    child.on('error', () => undefined);
    child.on('exit', (code, signal) => {
      slots.delete(slot);
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      // Whatever it left of a job: its ffmpeg (killed with its group), its files.
      killGroup(child);
      if (child.pid !== undefined) rmSync(jobDirOf(child.pid), { recursive: true, force: true });
      cpuOfGone += slot.cpuMicros;
      const job = slot.job;
      if (job && !slot.killedFor) {
        settle(job.pending);
        job.pending.reject(new ProcessingBug(`The processing process exited (${signal ?? `code ${code}`}) while running a job`));
      }
      if (closing) return;
      if (!slot.ready) startPausedUntil = Date.now() + RESTART_PAUSE_MS;
      if (live().length < warm) {
        if (slot.ready) spawn();
        else setTimeout(() => closing || live().length >= warm || spawn(), RESTART_PAUSE_MS).unref();
      }
      dispatch();
    });
  };

  /** A process beyond the warm ones stops once it has gone `idleMs` without a job. */
  const retireWhenIdle = (slot: Slot) => {
    if (slot.idleTimer || live().length <= warm) return;
    slot.idleTimer = setTimeout(() => {
      slot.idleTimer = null;
      if (slot.job || slot.killedFor || closing || live().length <= warm) return;
      slot.retired = true;
      killGroup(slot.child);
    }, idleMs);
    slot.idleTimer.unref();
  };

  const answer = (pending: Pending, a: ProcessingAnswer) => {
    if (a.ok) pending.resolve({ body: Buffer.from(a.body.buffer, a.body.byteOffset, a.body.byteLength), contentType: a.contentType, digests: a.digests });
    else if ('error' in a) pending.reject(ImgfloError.fromBody(a.error));
    else pending.reject(new ProcessingBug(a.bug));
  };

  const dispatch = () => {
    for (const slot of slots) {
      if (queue.length === 0) return;
      if (!slot.ready || slot.job || slot.killedFor || slot.retired) continue;
      if (slot.idleTimer) clearTimeout(slot.idleTimer);
      slot.idleTimer = null;
      const pending = queue.shift()!;
      const id = nextId++;
      slot.job = { id, pending };
      pending.slot = slot;
      slot.child.send({ id, task: pending.task } satisfies ChildRequest);
    }
    // Jobs still waiting, more than the processes starting: another process, up to the most.
    if (closing || Date.now() < startPausedUntil) return;
    let starting = live().filter((s) => !s.ready).length;
    for (let count = live().length; queue.length > starting && count < processes; count++, starting++) spawn();
  };

  const memoryLimit = options.memoryLimitMb;
  const watch =
    memoryLimit === undefined
      ? null
      : setInterval(() => {
          for (const slot of slots) {
            if (!slot.job || slot.killedFor || slot.child.pid === undefined) continue;
            const mb = residentMb(slot.child.pid);
            if (mb !== null && mb > memoryLimit) {
              kill(slot, new ImgfloError(422, 'size-limit', `Processing needed more than ${memoryLimit} MB of memory`, { limit: memoryLimit }));
            }
          }
        }, MEMORY_POLL_MS).unref();

  for (let i = 0; i < warm; i++) spawn();

  return {
    async run(given) {
      if (closing) throw unavailable('The processing pool is closed');
      const { task, files } = await handOver(given);
      if (closing) throw unavailable('The processing pool is closed');
      return new Promise<Processed>((resolve, reject) => {
        const pending: Pending = { task, files, resolve, reject, slot: null, timer: undefined as unknown as NodeJS.Timeout };
        pending.timer = setTimeout(() => {
          if (pending.slot) return kill(pending.slot, processingTimeout(timeoutMs));
          settle(pending);
          reject(processingTimeout(timeoutMs));
        }, Math.max(1, task.limits.deadline - Date.now()));
        queue.push(pending);
        dispatch();
      });
    },
    ready: () => (allReady() ? Promise.resolve() : new Promise<void>((resolve) => waiters.push(resolve))),
    pids: () => [...slots].flatMap((s) => (s.child.pid === undefined ? [] : [s.child.pid])),
    cpuMicros: () => cpuOfGone + [...slots].reduce((sum, s) => sum + s.cpuMicros, 0),
    async close() {
      closing = true;
      if (watch) clearInterval(watch);
      for (const pending of [...queue]) {
        settle(pending);
        pending.reject(unavailable('The processing pool is closed'));
      }
      await Promise.all(
        [...slots].map(
          (slot) =>
            new Promise<void>((resolve) => {
              if (slot.child.exitCode !== null || slot.child.signalCode !== null) return resolve();
              slot.child.once('exit', () => resolve());
              kill(slot, unavailable('The processing pool is closed'));
            }),
        ),
      );
      handoff.dispose();
    },
  };
}
