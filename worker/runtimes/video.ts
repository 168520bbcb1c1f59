/**
 * Video out (`.mp4`): every frame of the input — a video, or an animated GIF or WebP — through
 * the graph, as a still's input goes through it (its `width`/`height` scaling included), then
 * encoded by ffmpeg as H.264 in MP4 (yuv420p, +faststart: a browser plays before the end), at
 * the input's frame rate, with its audio (copied when it is AAC, else made AAC).
 * ffmpeg runs as processes of its own, fed and read through pipes; its files are the job's
 * (worker/video/ffmpeg.ts). The bounds are checked on the headers before a frame is decoded.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Size } from '../../shared/components/types.ts';
import { CONTENT_TYPES } from '../../shared/formats.ts';
import type { Decisions } from '../../shared/runtimes/decisions.ts';
import { runPipeline, type PipelineState, type PipelineStep } from '../runtime/pipeline.ts';
import { frameProcessor, runPlan } from '../runtime/process-image.ts';
import type { RawImage } from '../runtime/raw-image.ts';
import type { ProcessingTask } from '../runtime/task.ts';
import { ffmpegPath, haveFfmpeg, run, videoOff, withJobDir } from '../video/ffmpeg.ts';
import { inputArgs } from '../video/probe.ts';
import { openSource, type FrameSource } from '../video/source.ts';
import { inputOf, type WorkerRuntime } from './runtime.ts';

interface VideoState extends PipelineState {
  readonly task: ProcessingTask;
  /** The job's folder: its input, its output. */
  readonly dir: string;
  source?: FrameSource;
  size?: Size;
  /** The encoder's bitrate and frame rate, as the request decided them. */
  video?: Decisions['video'];
  process?: (frame: RawImage) => Promise<RawImage>;
  file?: string;
}

/** An RGB frame for the encoder (a video has no alpha). */
function rgb(img: RawImage): Buffer {
  if (img.channels === 3) return img.data;
  const out = Buffer.alloc(img.width * img.height * 3);
  for (let i = 0, j = 0; i < img.data.length; i += 4, j += 3) {
    out[j] = img.data[i]!;
    out[j + 1] = img.data[i + 1]!;
    out[j + 2] = img.data[i + 2]!;
  }
  return out;
}

/** The encoder's arguments: raw RGB frames on its input, the source's audio beside them. */
function encoderArgs(size: Size, fps: number, audio: FrameSource['audio'], file: string, video: Decisions['video']): string[] {
  return [
    '-nostdin', '-v', 'error',
    '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size.width}x${size.height}`, '-r', fps.toFixed(3), '-i', 'pipe:0',
    ...(audio ? inputArgs(audio.container, audio.file) : []),
    '-map', '0:v:0',
    ...(audio ? ['-map', '1:a:0', '-c:a', audio.codec === 'aac' ? 'copy' : 'aac'] : []),
    // yuv420p needs even sides: an odd one gains a row or a column.
    '-vf', 'pad=ceil(iw/2)*2:ceil(ih/2)*2',
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    // A bitrate asked for (validated numbers only), else a constant quality.
    ...(video.bitrate ? ['-b:v', `${video.bitrate}k`, '-maxrate', `${video.bitrate}k`, '-bufsize', `${video.bitrate * 2}k`] : ['-crf', '20']),
    ...(video.framerate ? ['-r', video.framerate.toFixed(3)] : []),
    '-movflags', '+faststart', '-shortest', '-f', 'mp4', '-y', `file:${file}`,
  ];
}

const STEPS: ReadonlyArray<PipelineStep<VideoState>> = [
  { name: 'decode', run: async (s) => ({ source: await openSource(inputOf(s.task), s.dir, s.limits) }) },
  {
    name: 'plan',
    run: async (s) => {
      const { size, process, decisions } = await frameProcessor(s.task, s.source!.size, runPlan);
      return { size, process, video: decisions.video };
    },
  },
  {
    name: 'graph',
    run: async (s) => {
      const { source, size, process } = { source: s.source!, size: s.size!, process: s.process! };
      const file = join(s.dir, 'output.mp4');
      const encoder = run(ffmpegPath(), encoderArgs(size, source.fps, source.audio, file, s.video!), s.limits.deadline);
      for await (const frame of source.frames) {
        const made = await process(frame);
        if (!encoder.stdin.write(rgb(made))) await new Promise((r) => encoder.stdin.once('drain', r));
      }
      encoder.stdin.end();
      await encoder.done;
      return { file };
    },
  },
  {
    name: 'encode',
    run: async (s) => ({ out: { body: await readFile(s.file!), contentType: CONTENT_TYPES.mp4, width: s.size!.width, height: s.size!.height } }),
  },
];

export const video: WorkerRuntime = {
  run: async (task) => {
    if (!haveFfmpeg()) throw videoOff();
    return withJobDir((dir) => runPipeline(STEPS, { task, limits: task.limits, dir }));
  },
};
