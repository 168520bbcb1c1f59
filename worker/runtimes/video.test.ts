/**
 * Video out, with Debian's ffmpeg: the original's case (customgrey on every frame of its example
 * video), an animated GIF to MP4, scaling, noop, and hostile inputs refused on their headers
 * before a frame is decoded. Frames are read back with ffmpeg itself.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { compareImages } from '../../test/helpers/compare.ts';
import { ROOT } from '../../test/helpers/in-process.ts';
import { channelSpread, ffprobe, frameAt, frameOf, madeByFfmpeg, matroskaClaiming, scratchFile } from '../../test/helpers/video.ts';
import * as v from 'valibot';
import { ImageInfoSchema, INFO_ENTRY } from '../../shared/info.ts';
import { resolveRequest } from '../../shared/request.ts';
import { parseQuery } from '../../shared/url.ts';
import { loadCatalogue } from '../catalogue.ts';
import { createProcessor } from '../runtime/processor.ts';
import { jobDirOf, type ProcessingTask } from '../runtime/task.ts';
import { haveFfmpeg } from '../video/ffmpeg.ts';
import { runTask } from './index.ts';

const VIDEO = readFileSync(`${ROOT}examples/video-3dpmic.mp4`);
const GIF = readFileSync(`${ROOT}examples/time.gif`);
const limits = (ms = 60_000) => ({ maxInputPixels: 1e8, maxFrames: 200, deadline: Date.now() + ms });

describe.skipIf(!haveFfmpeg())('video out (.mp4)', () => {
  let catalogue: Catalogue;
  const task = (graph: string, input: Uint8Array, params: ProcessingTask['params'] = {}, outtype: ProcessingTask['outtype'] = 'mp4'): ProcessingTask => ({ entry: catalogue.get(graph)!, params, input, outtype, limits: limits() });
  beforeAll(async () => {
    catalogue = await loadCatalogue(`${ROOT}graphs`);
  });

  it('runs customgrey on every frame of the original’s video: H.264 848×480, 30 fps, 1 s, with audio, every frame grey and customgrey’s', async () => {
    const out = await runTask(task('customgrey', VIDEO));
    expect(out.contentType).toBe('video/mp4');
    const { streams, format } = ffprobe(out.body);
    const video = streams.find((s) => s.codec_type === 'video')!;
    expect(video).toMatchObject({ codec_name: 'h264', width: 848, height: 480, r_frame_rate: '30/1', pix_fmt: 'yuv420p' });
    expect(Math.abs(Number(format.duration) - 1.0)).toBeLessThanOrEqual(1 / 30 + 0.01);
    expect(streams.some((s) => s.codec_type === 'audio' && s.codec_name === 'aac')).toBe(true);
    for (const k of [0, 10, 20, 29]) {
      const got = frameOf(out.body, k);
      expect(await channelSpread(got), `frame ${k}: channel spread`).toBeLessThanOrEqual(4);
      // The same graph on the same input frame, as a still.
      const still = await runTask(task('customgrey', frameOf(VIDEO, k), {}, 'png'));
      const c = await compareImages(got, Buffer.from(still.body));
      expect(c.sameSize).toBe(true);
      expect(c.mean, `frame ${k}: mean ΔE`).toBeLessThanOrEqual(3);
    }
  }, 60_000);

  it('turns an animated GIF into an H.264 MP4 with its frames', async () => {
    const pages = (await sharp(GIF).metadata()).pages!;
    const out = await runTask(task('passthrough', GIF));
    const video = ffprobe(out.body).streams.find((s) => s.codec_type === 'video')!;
    expect(video.codec_name).toBe('h264');
    expect(Math.abs(Number(video.nb_read_frames) - pages)).toBeLessThanOrEqual(1);
  });

  it('scales every frame as a still’s input is scaled: its size, its pixels (within codec loss), a stretch with square pixels', async () => {
    for (const [graph, input, k] of [['passthrough', VIDEO, 12], ['customgrey', VIDEO, 20], ['passthrough', GIF, 3]] as const) {
      const out = await runTask(task(graph, input, { width: 480 }));
      const video = ffprobe(out.body).streams.find((s) => s.codec_type === 'video')!;
      const still = await runTask(task(graph, input === GIF ? await sharp(GIF, { page: k }).png().toBuffer() : frameOf(VIDEO, k), { width: 480 }, 'png'));
      const { width, height } = await sharp(still.body).metadata();
      // yuv420p needs even sides: an odd one gains a row.
      expect([video.width, video.height], `${graph}: the still's size`).toEqual([width, height! + (height! % 2)]);
      const frame = await sharp(frameOf(out.body, k)).extract({ left: 0, top: 0, width: width!, height: height! }).png().toBuffer();
      expect((await compareImages(frame, Buffer.from(still.body))).mean, `${graph}: frame ${k} against the still`).toBeLessThanOrEqual(3);
    }
    const stretched = ffprobe((await runTask(task('passthrough', VIDEO, { width: 300, height: 300 }))).body).streams.find((s) => s.codec_type === 'video')!;
    expect(stretched).toMatchObject({ width: 300, height: 300, sample_aspect_ratio: '1:1' });
  }, 30_000);

  it('honours rotation metadata: a phone\'s sideways video comes out upright, as a video, a poster and in /info', async () => {
    const plain = madeByFfmpeg(['-f', 'lavfi', '-i', 'smptebars=size=192x96:rate=10', '-t', '1', '-pix_fmt', 'yuv420p'], 'mp4');
    const turned = madeByFfmpeg(['-i', scratchFile(plain, 'mp4'), '-c', 'copy', '-metadata:s:v:0', 'rotate=90'], 'mp4');
    // As a player shows it (ffmpeg turns it upright when it decodes): 96 × 192.
    const shown = frameOf(turned, 0);
    expect(await sharp(shown).metadata()).toMatchObject({ width: 96, height: 192 });
    const upsideDown = await sharp(shown).rotate(180).png().toBuffer();
    const out = await runTask(task('passthrough', turned));
    const video = ffprobe(out.body).streams.find((s) => s.codec_type === 'video')!;
    expect([video.width, video.height]).toEqual([96, 192]);
    expect((await compareImages(frameOf(out.body, 0), shown)).mean, 'the video, upright').toBeLessThanOrEqual(3);
    expect((await compareImages(frameOf(out.body, 0), upsideDown)).mean, 'the video, turned the other way').toBeGreaterThan(10);
    const poster = await runTask(task('passthrough', turned, {}, 'png'));
    expect((await compareImages(Buffer.from(poster.body), shown)).mean, 'the poster, upright').toBeLessThanOrEqual(1);
    const scaled = await runTask(task('passthrough', turned, { height: 96 }));
    expect(ffprobe(scaled.body).streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 48, height: 96 });
    const info = JSON.parse(Buffer.from((await runTask({ entry: INFO_ENTRY, params: {}, input: turned, outtype: null, limits: limits() })).body).toString());
    expect([info.width, info.height]).toEqual([96, 192]);
  });

  it('encodes at the video_bitrate and video_framerate asked for', async () => {
    const free = await runTask(task('passthrough', VIDEO));
    const slow = await runTask(task('passthrough', VIDEO, { video_bitrate: 150, video_framerate: 10 }));
    const video = ffprobe(slow.body).streams.find((s) => s.codec_type === 'video')!;
    expect(video.r_frame_rate).toBe('10/1');
    // About a second at 10 fps (the rate conversion drops or repeats a frame at either end).
    expect(Math.abs(Number(video.nb_read_frames) - 10)).toBeLessThanOrEqual(2);
    // 150 kb/s for a second of video, audio besides: far smaller than constant quality's.
    expect(slow.body.length).toBeLessThan(free.body.length / 2);
  });

  it('stores an MP4 as it is with noop, and refuses another type under .mp4', async () => {
    const mp4 = madeByFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', '-pix_fmt', 'yuv420p'], 'mp4');
    const out = await runTask(task('noop', mp4));
    expect([out.contentType, out.width, out.height]).toEqual(['video/mp4', 64, 48]);
    expect(Buffer.compare(Buffer.from(out.body), mp4)).toBe(0);
    await expect(runTask(task('noop', GIF))).rejects.toMatchObject({ status: 415, reason: 'unsupported-input' });
  });

  describe('posters: an image output of a video is its frame at t', () => {
    it('makes a 300-px JPEG of the frame at 0.5 s, as ffmpeg takes it', async () => {
      const req = resolveRequest(catalogue.get('passthrough')!, 'jpg', parseQuery('?input=files%2Fvideo-3dpmic.mp4&t=0.5&width=300'), { sizeLimitMegapixels: 25 });
      const out = await runTask({ ...task('passthrough', VIDEO, req.params, req.outtype), limits: limits() });
      const meta = await sharp(out.body).metadata();
      expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 300, 170]);
      const theirs = await sharp(frameAt(VIDEO, 0.5)).resize(300, 170, { fit: 'fill' }).png().toBuffer();
      const c = await compareImages(Buffer.from(out.body), theirs);
      expect(c.mean, 'mean ΔE against ffmpeg’s frame at 0.5 s').toBeLessThanOrEqual(3);
      // Another time is another frame: the video moves.
      const first = await runTask(task('passthrough', VIDEO, { width: 300 }, 'jpg'));
      expect((await compareImages(Buffer.from(first.body), theirs)).mean).toBeGreaterThan((c.mean + 1));
    });

    it('takes the last frame past the end, and the first by default', async () => {
      const last = await runTask(task('passthrough', VIDEO, { t: 3600 }, 'png'));
      const lastFrame = frameOf(VIDEO, 29);
      expect((await compareImages(Buffer.from(last.body), lastFrame)).mean).toBeLessThanOrEqual(1);
      const first = await runTask(task('passthrough', VIDEO, {}, 'png'));
      expect((await compareImages(Buffer.from(first.body), frameOf(VIDEO, 0))).mean).toBeLessThanOrEqual(1);
    });
  });

  it('describes a video with /info: its length, rate, codec and audio, and its first frame’s size, colour and placeholder', async () => {
    const out = await runTask({ entry: INFO_ENTRY, params: {}, input: VIDEO, outtype: null, limits: limits() });
    const info = v.parse(ImageInfoSchema, JSON.parse(Buffer.from(out.body).toString()));
    expect(info).toMatchObject({ width: 848, height: 480, format: 'asf', frames: 30, hasAlpha: false, video: { fps: 30, codec: 'mpeg4', audio: 'mp2' } });
    expect(info.video!.seconds).toBeCloseTo(1.005, 2);
    expect(info.lqip).toMatch(/^data:image\/webp;base64,/);
  });

  describe('hostile inputs: a typed 4xx within a second, nothing fetched', () => {
    let hits = 0;
    const canary = createServer((_req, res) => {
      hits++;
      res.end('x');
    });
    let canaryUrl = '';
    beforeAll(async () => {
      await new Promise<void>((r) => canary.listen(0, '127.0.0.1', r));
      const address = canary.address();
      canaryUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    });
    afterAll(() => new Promise<void>((r) => canary.close(() => r())));

    const cases: Array<[string, () => Uint8Array, number]> = [
      ['an HLS playlist named .mp4, pointing at a loopback canary and at /etc/passwd', () => Buffer.from(`#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${canaryUrl}/seg.ts\n#EXTINF:1,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n`), 415],
      ['a concat script', () => Buffer.from(`ffconcat version 1.0\nfile '${canaryUrl}/a.mp4'\nfile '/etc/passwd'\n`), 415],
      ['zero bytes', () => Buffer.alloc(0), 415],
      ['a truncated MP4', () => madeByFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=64x48:rate=10', '-t', '1', '-pix_fmt', 'yuv420p', '-movflags', '+faststart'], 'mp4').subarray(0, 600), 415],
      ['audio only', () => madeByFfmpeg(['-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac'], 'mp4'), 415],
      ['a 10-minute video', () => madeByFfmpeg(['-f', 'lavfi', '-i', 'color=size=16x16:rate=1', '-t', '600', '-pix_fmt', 'yuv420p'], 'mp4'), 422],
      // ffmpeg itself refuses a frame size past about 268 MP: the stream has no size then.
      ['a header claiming 100 000 × 100 000', () => matroskaClaiming(100_000, 100_000), 415],
      ['a header claiming 12 000 × 12 000 (144 MP, over the pixel limit)', () => matroskaClaiming(12_000, 12_000), 422],
      ['a header claiming 8 000 × 8 000 for 100 s (within the limit a frame, over it in all)', () => matroskaClaiming(8_000, 8_000, 100), 422],
    ];
    it.each(cases)('%s', async (_what, bytes, status) => {
      const input = bytes();
      const started = Date.now();
      await expect(runTask(task('passthrough', input))).rejects.toMatchObject({ status });
      expect(Date.now() - started).toBeLessThan(1000);
      expect(hits).toBe(0);
    });
  });

  it('leaves no ffmpeg and no file behind when its processing process is killed at the deadline', async () => {
    const pool = createProcessor(1, 1500);
    try {
      await pool.ready();
      const [pid] = pool.pids();
      // Minutes of blurring at 640×360 and 30 fps: far past its 1.5-s deadline.
      const long = madeByFfmpeg(['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-t', '10', '-pix_fmt', 'yuv420p', '-preset', 'ultrafast'], 'mp4');
      await expect(pool.run({ ...task('gaussianblur', long, { 'std-dev-x': 20, 'std-dev-y': 20 }), limits: limits(1500) })).rejects.toMatchObject({ status: 422, reason: 'processing-timeout' });
      // The process is reaped, its group killed, its folder removed.
      for (let i = 0; i < 100 && pool.pids().includes(pid!); i++) await new Promise((r) => setTimeout(r, 20));
      await pool.ready();
      // Killed ones may stay zombies until the machine's init reaps them: none may still run.
      const running = execFileSync('sh', ['-c', `ps -eo pgid=,stat=,comm= | awk '$1 == ${pid} && $2 !~ /^Z/ && $3 == "ffmpeg"'`]).toString().trim();
      expect(running).toBe('');
      expect(existsSync(jobDirOf(pid!))).toBe(false);
    } finally {
      await pool.close();
    }
  }, 30_000);
});
