/**
 * What video costs: the service's CPU per `customgrey.mp4` (the graph on every frame in
 * JavaScript) and per `passthrough.mp4?width=480` (every frame scaled), against ffmpeg alone
 * doing the same work in one process (`-vf format=gray`, `-vf scale=480:-2`) with the same
 * encoder settings, side by side in alternating rounds. The service's side runs its video
 * pipeline in this process; CPU is this process's (all threads) plus its waited-for children's
 * (the ffmpeg it starts), from /proc/self/stat.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { loadCatalogue } from '../worker/catalogue.ts';
import { runTask } from '../worker/runtimes/index.ts';
import { scratchFile } from '../test/helpers/video.ts';

const run = promisify(execFile);
const TICK_MS = 10;

/** CPU ms of this process (every thread) and of its children that have been waited for. */
function cpuMs(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  // utime, stime, cutime, cstime: fields 14–17 of the line, 12–15 after the command.
  return [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0) * TICK_MS;
}

export interface VideoCost {
  oursCpuMs: number;
  ffmpegCpuMs: number;
  /** ours / ffmpeg alone. */
  ratio: number;
}

export async function measureVideo(rounds: number, warmUp = true): Promise<Record<'customgrey' | 'scaled480', VideoCost>> {
  const root = new URL('../', import.meta.url).pathname;
  const catalogue = await loadCatalogue(`${root}graphs`);
  const input = readFileSync(`${root}examples/video-3dpmic.mp4`);
  const file = scratchFile(input, 'asf');
  const encoder = ['-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-movflags', '+faststart', '-f', 'mp4', '-y'];
  const cases = {
    customgrey: { graph: 'customgrey', params: {}, filter: 'format=gray' },
    scaled480: { graph: 'passthrough', params: { width: 480 }, filter: 'scale=480:-2' },
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const result = {} as Record<keyof typeof cases, VideoCost>;
  for (const [name, c] of Object.entries(cases) as Array<[keyof typeof cases, (typeof cases)[keyof typeof cases]]>) {
    const sides = {
      ours: () => runTask({ entry: catalogue.get(c.graph)!, params: c.params, input, outtype: 'mp4', limits: { maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + 120_000 } }),
      ffmpeg: () => run('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-vf', c.filter, ...encoder, scratchFile(new Uint8Array(), 'mp4')]),
    };
    const cpu = { ours: [] as number[], ffmpeg: [] as number[] };
    if (warmUp) for (const side of Object.values(sides)) await side();
    for (let round = 0; round < rounds; round++) {
      for (const [side, work] of Object.entries(sides) as Array<[keyof typeof sides, () => Promise<unknown>]>) {
        const before = cpuMs();
        await work();
        cpu[side].push(cpuMs() - before);
      }
    }
    const ours = median(cpu.ours);
    const alone = median(cpu.ffmpeg);
    result[name] = { oursCpuMs: ours, ffmpegCpuMs: alone, ratio: Math.round((ours / alone) * 100) / 100 };
  }
  return result;
}

if (process.argv[1] === new URL(import.meta.url).pathname) console.log(JSON.stringify(await measureVideo(Number(process.argv[2] ?? 3)), null, 2));
