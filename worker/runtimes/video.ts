/**
 * Video out (`.mp4`): every frame of the input — a video, or an animated GIF or WebP — through
 * the graph, as a still's input goes through it (its `width`/`height` scaling included), then
 * encoded by ffmpeg as H.264 in MP4 (yuv420p, +faststart: a browser plays before the end), at
 * the input's frame rate, with its audio (copied when it is AAC, else made AAC).
 * ffmpeg runs as processes of its own, fed and read through pipes; its files are the job's
 * (worker/video/ffmpeg.ts). The bounds are checked on the headers before a frame is decoded.
 * A graph that passes its frames on as they are (`passthrough`) never brings them into
 * JavaScript: one ffmpeg decodes, scales and encodes a video file.
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
import { openSource, scaleFilter, type FrameSource } from '../video/source.ts';
import { inputOf, type WorkerRuntime } from './runtime.ts';

interface VideoState extends PipelineState {
  readonly task: ProcessingTask;
  /** The job's folder: its input, its output. */
  readonly dir: string;
  source?: FrameSource;
  /** The frames' size into the graph (scaled), and out of it. */
  input?: Size;
  size?: Size;
  /** The encoder's bitrate and frame rate, as the request decided them. */
  video?: Decisions['video'];
  /** Whether the graph passes its frames on as they are. */
  passes?: boolean;
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

/** Raw RGB frames of `size` on ffmpeg's standard input. */
const rawFrames = (size: Size, fps: number) => ['-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${size.width}x${size.height}`, '-r', fps.toFixed(3), '-i', 'pipe:0'];

/**
 * The encoder's arguments: the video from the first input (through `filters`), the audio of
 * the input numbered `audio.from` (copied when AAC, else made AAC), into the job's `file`.
 */
function encoderArgs(inputs: string[], filters: string[], audio: { from: number; codec: string } | null, file: string, video: Decisions['video']): string[] {
  return [
    '-nostdin', '-v', 'error',
    ...inputs,
    '-map', '0:v:0',
    ...(audio ? ['-map', `${audio.from}:a:0`, '-c:a', audio.codec === 'aac' ? 'copy' : 'aac'] : []),
    // Square pixels, and even sides for yuv420p: an odd one gains a row or a column.
    '-vf', [...filters, 'setsar=1', 'pad=ceil(iw/2)*2:ceil(ih/2)*2'].join(','),
    '-c:v', 'libx264', '-preset', 'veryfast', '-pix_fmt', 'yuv420p',
    // A bitrate asked for (validated numbers only), else a constant quality.
    ...(video.bitrate ? ['-b:v', `${video.bitrate}k`, '-maxrate', `${video.bitrate}k`, '-bufsize', `${video.bitrate * 2}k`] : ['-crf', '20']),
    ...(video.framerate ? ['-r', video.framerate.toFixed(3)] : []),
    '-movflags', '+faststart', '-shortest', '-f', 'mp4', '-y', `file:${file}`,
  ];
}

/** A video file through a graph that passes its frames on: one ffmpeg decodes, scales and encodes. */
async function transcode(s: VideoState, file: string): Promise<void> {
  const { source, input } = { source: s.source!, input: s.input! };
  const { path, container } = source.file!;
  const audio = source.audio ? { from: 0, codec: source.audio } : null;
  await run(ffmpegPath(), encoderArgs(inputArgs(container, path), scaleFilter(source.size, input), audio, file, s.video!), s.limits.deadline).done;
}

/** Frame by frame: decoded into JavaScript, through the graph, piped to the encoder. */
async function throughGraph(s: VideoState, file: string): Promise<void> {
  const { source, input, size, process } = { source: s.source!, input: s.input!, size: s.size!, process: s.process! };
  const audioFile = source.audio && source.file ? inputArgs(source.file.container, source.file.path) : [];
  const audio = source.audio ? { from: 1, codec: source.audio } : null;
  const encoder = run(ffmpegPath(), encoderArgs([...rawFrames(size, source.fps), ...audioFile], [], audio, file, s.video!), s.limits.deadline);
  for await (const frame of source.frames(input)) {
    const made = await process(frame);
    if (!encoder.stdin.write(rgb(made))) await new Promise((r) => encoder.stdin.once('drain', r));
  }
  encoder.stdin.end();
  await encoder.done;
}

const STEPS: ReadonlyArray<PipelineStep<VideoState>> = [
  { name: 'decode', run: async (s) => ({ source: await openSource(inputOf(s.task), s.dir, s.limits) }) },
  {
    name: 'plan',
    run: async (s) => {
      const { input, size, passes, process, decisions } = await frameProcessor(s.task, s.source!.size, runPlan);
      return { input, size, passes, process, video: decisions.video };
    },
  },
  {
    name: 'graph',
    run: async (s) => {
      const file = join(s.dir, 'output.mp4');
      await (s.passes && s.source!.file ? transcode(s, file) : throughGraph(s, file));
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
