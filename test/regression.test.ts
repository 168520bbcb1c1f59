/**
 * The original imgflo's regression cases (reference/imgflo/cases.json), requested through the
 * real stack and compared with the original outputs by the rule written in that file.
 * Cases of graphs not in the catalogue yet are listed as todo.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { stress } from '../worker/runtime/components/c2g.ts';
import { fromLinear, toLinear } from '../worker/runtime/linear-light.ts';
import { fromSharp } from '../worker/runtime/raw-image.ts';
import { scaleLinear } from '../worker/runtime/scale.ts';
import { loadCatalogue } from '../worker/catalogue.ts';
import { runTask } from '../worker/runtimes/index.ts';
import { haveFfmpeg } from '../worker/video/ffmpeg.ts';
import { compareImages, passesParity, type Comparison } from './helpers/compare.ts';
import { channelSpread, ffprobe, frameOf } from './helpers/video.ts';
import { startTestStack } from './helpers/stack.ts';

// A copy of the original's cases and outputs (reference/imgflo of the project's shared notes).
const REFERENCE = new URL('./reference/', import.meta.url).pathname;

interface Case {
  name: string;
  request: string;
  expected: string;
  size: [number, number];
  tolerance: number;
  parity: boolean;
  note?: string;
}

const { cases, video_case: videoCase } = JSON.parse(readFileSync(join(REFERENCE, 'cases.json'), 'utf8')) as { cases: Case[]; video_case: { request: string } };
const graphsDir = new URL('../graphs/', import.meta.url).pathname;
const available = new Set(
  (await import('node:fs')).readdirSync(graphsDir).map((f) => f.replace(/\.(json|fbp)$/, '')),
);
const graphOf = (c: Case) => /^\/graph\/([^./?]+)/.exec(c.request)![1]!;

/** Cases whose figures are printed but whose parity is not reached yet. */
const PARITY_LATER = new Set<string>([]);

/**
 * Cases without a parity target in cases.json that are held to one here: retro from the
 * original's own tables; the Delaunay triangles with the original's generator, hash and
 * triangulation (only antialiased edges may differ; the original suite's tolerance is 20).
 */
const HELD_TO: Record<string, { mean: number; p99: number }> = {
  retro_batcave: { mean: 1.0, p99: 3.0 },
  delaunay_triangles_foobar100: { mean: 1.5, p99: 20 },
};

/** c2g is random (GEGL's differs from run to run): two seeds of ours differ by this much. */
async function c2gSeedSpread(): Promise<Comparison> {
  const decoded = await fromSharp(sharp(new URL('../examples/grid-toastybob.jpg', import.meta.url).pathname).autoOrient());
  const input = fromLinear(scaleLinear(toLinear(decoded), 225, 300));
  const params = { radius: 300, samples: 4, iterations: 10 };
  const [a, b] = await Promise.all(['one seed', 'another seed'].map(async (seed) => {
    const out = stress(input, params, seed);
    return sharp(out.data, { raw: { width: out.width, height: out.height, channels: out.channels } }).jpeg({ quality: 90, chromaSubsampling: '4:4:4' }).toBuffer();
  }));
  const file = join(mkdtempSync(join(tmpdir(), 'imgflo-c2g-')), 'b.jpg');
  writeFileSync(file, b!);
  return compareImages(a!, file);
}

const FORMATS: Record<string, string> = { png: 'png', jpg: 'jpeg', gif: 'gif' };
const expectedFormat = (c: Case) => FORMATS[c.expected.split('.').pop()!]!;

function report(c: Case, cmp: Comparison) {
  console.log(
    `[regression] ${c.name}: size ${cmp.actualSize.join('x')} (expected ${cmp.expectedSize.join('x')}), ` +
      `mean ${cmp.mean.toFixed(3)}, p99 ${cmp.p99.toFixed(3)}, max ${cmp.max.toFixed(3)} (original tolerance ${c.tolerance})` +
      `${c.parity ? '' : ' [no parity target]'}`,
  );
}

describe('regression cases of the original imgflo', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startTestStack();
  });
  afterAll(async () => {
    await stack?.stop();
  });

  async function fetchResult(c: Case): Promise<{ body: Buffer; location: string; contentType: string | null }> {
    const res = await fetch(`${stack.edgeUrl}${c.request}`, { redirect: 'manual' });
    expect(res.status, await res.clone().text()).toBe(301);
    const location = res.headers.get('location')!;
    const image = await fetch(location);
    expect(image.status).toBe(200);
    return { body: Buffer.from(await image.arrayBuffer()), location, contentType: image.headers.get('content-type') };
  }

  for (const c of cases) {
    if (!available.has(graphOf(c))) {
      it.todo(`${c.name} (graph ${graphOf(c)} is not in the catalogue yet)`);
      continue;
    }
    it(`${c.name}: ${(c.parity && !PARITY_LATER.has(c.name)) || HELD_TO[c.name] ? 'matches the original' : c.name === 'desaturate_heightonly' ? 'is as close to the original as two seeds are to each other' : 'has the expected size and type'}`, async () => {
      const requests = c.name === 'same_request_concurrently' ? 8 : 1;
      const results = await Promise.all(Array.from({ length: requests }, () => fetchResult(c)));
      expect(new Set(results.map((r) => r.location)).size).toBe(1);
      const { body } = results[0]!;
      const meta = await sharp(body).metadata();
      expect(meta.format).toBe(expectedFormat(c));
      expect([meta.width, meta.height]).toEqual(c.size);

      const expectedFile = join(REFERENCE, 'expected', c.expected);
      if (c.tolerance === 0) {
        expect(Buffer.compare(body, readFileSync(expectedFile)), 'byte-identical copy').toBe(0);
        return;
      }
      const cmp = await compareImages(body, expectedFile);
      report(c, cmp);
      expect(cmp.sameSize).toBe(true);
      if (c.parity && !PARITY_LATER.has(c.name)) {
        expect(passesParity(cmp), `mean ${cmp.mean}, p99 ${cmp.p99}`).toBe(true);
      }
      const held = HELD_TO[c.name];
      if (held) {
        expect(cmp.mean, 'mean').toBeLessThanOrEqual(held.mean);
        expect(cmp.p99, 'p99').toBeLessThanOrEqual(held.p99);
      }
      if (c.name === 'desaturate_heightonly') {
        const spread = await c2gSeedSpread();
        console.log(`[regression] desaturate_heightonly: two seeds of c2g differ by mean ${spread.mean.toFixed(3)}; the original by ${cmp.mean.toFixed(3)}`);
        expect(cmp.mean).toBeLessThanOrEqual(spread.mean + 1);
      }
      // As the original wrote them: progressive, with optimised Huffman tables.
      if (meta.format === 'jpeg') expect(meta.isProgressive, 'progressive JPEG').toBe(true);
    });
  }

  // The original only checked that its video case succeeded; here the result is read back.
  it.skipIf(!haveFfmpeg())(`video_case: ${videoCase.request} is customgrey on every frame, as H.264 with the input's size, rate, length and audio`, async () => {
    const res = await fetch(`${stack.edgeUrl}${videoCase.request}`, { redirect: 'manual' });
    expect(res.status, await res.clone().text()).toBe(301);
    const stored = await fetch(res.headers.get('location')!);
    expect([stored.status, stored.headers.get('content-type')]).toEqual([200, 'video/mp4']);
    const body = Buffer.from(await stored.arrayBuffer());
    const { streams, format } = ffprobe(body);
    expect(streams.find((s) => s.codec_type === 'video')).toMatchObject({ codec_name: 'h264', width: 848, height: 480, r_frame_rate: '30/1' });
    expect(streams.some((s) => s.codec_type === 'audio')).toBe(true);
    expect(Math.abs(Number(format.duration) - 1.0)).toBeLessThanOrEqual(1 / 30 + 0.01);
    const input = readFileSync(new URL('../examples/video-3dpmic.mp4', import.meta.url));
    const customgrey = (await loadCatalogue(graphsDir)).get('customgrey')!;
    for (const k of [0, 15, 29]) {
      const got = frameOf(body, k);
      expect(await channelSpread(got), `frame ${k} grey`).toBeLessThanOrEqual(4);
      const still = await runTask({ entry: customgrey, params: {}, input: frameOf(input, k), outtype: 'png', limits: { maxInputPixels: 1e8, maxFrames: 1, deadline: Date.now() + 30_000 } });
      const cmp = await compareImages(got, Buffer.from(still.body));
      console.log(`[regression] video_case frame ${k}: mean ΔE ${cmp.mean.toFixed(3)} against customgrey on the input's frame`);
      expect(cmp.mean).toBeLessThanOrEqual(3);
    }
  });
});
