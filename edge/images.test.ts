/**
 * Graphs of more than one image (watermark's overlay), over the whole request path in one
 * process: the second image under the rules of input, its pixels, its failures, its lineage.
 */
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { createInputReader } from '../worker/inputs/read-input.ts';
import { purge } from '../worker/purge.ts';
import { boxWhere } from '../test/helpers/compare.ts';
import { bombPng } from '../test/helpers/crafted.ts';
import { inProcessSystem, ROOT } from '../test/helpers/in-process.ts';

type System = Awaited<ReturnType<typeof inProcessSystem>>;
const objectKeyOf = (location: string) => location.replace('https://img.example.com/', '');
const WATERMARK = '/graph/watermark.png?input=files%2Fmountains.png&overlay=files%2Fhappy-kitten.svg&gravity=southeast&opacity=0.6&scale=0.2';

/** The bounding box of the pixels of `a` that differ from `b` (same size, RGB compared). */
async function changedBox(a: Uint8Array, b: string) {
  const [x, y] = await Promise.all([sharp(a).removeAlpha().raw().toBuffer({ resolveWithObject: true }), sharp(b).removeAlpha().raw().toBuffer({ resolveWithObject: true })]);
  expect([x.info.width, x.info.height]).toEqual([y.info.width, y.info.height]);
  return boxWhere(x.info.width, x.info.height, (col, row) => {
    const i = (row * x.info.width + col) * 3;
    return x.data[i] !== y.data[i] || x.data[i + 1] !== y.data[i + 1] || x.data[i + 2] !== y.data[i + 2];
  });
}

describe('watermark: an overlay image beside the input', () => {
  let sys: System;
  const bomb = bombPng(30_000, 30_000);
  beforeAll(async () => {
    const files = createInputReader({ examplesDir: `${ROOT}examples`, maxInputBytes: 20_000_000, fetchTimeoutMs: 5000 });
    // A host that serves a decompression bomb; every other input as the service reads it.
    // A host that serves a decompression bomb, and one a PNG whose header is whole but whose
    // pixels stop half-way; every other input as the service reads it.
    const truncated = await sharp({ create: { width: 300, height: 300, channels: 3, background: '#000', noise: { type: 'gaussian', mean: 128, sigma: 40 } } }).png().toBuffer();
    const served: Record<string, Uint8Array> = { 'https://bomb.example/logo.png': bomb, 'https://broken.example/logo.png': truncated.subarray(0, 3000) };
    sys = await inProcessSystem({ readInput: async (input) => (served[input] ? new Uint8Array(served[input]) : files(input)) });
  });

  it('composites the overlay in the lower-right corner only: a PNG the input\'s size', async () => {
    const res = await sys.request(WATERMARK);
    expect(res.status).toBe(301);
    const body = (await sys.store.get(objectKeyOf(res.headers.get('location')!)))!.body;
    expect(await sharp(body).metadata()).toMatchObject({ format: 'png', width: 1440, height: 1000 });
    const box = await changedBox(body, `${ROOT}examples/mountains.png`);
    // 0.2 × 1440 = 288 px wide, the kitten's aspect (744 × 579) giving 224 px high, in the corner.
    expect(box.count).toBeGreaterThan(1000);
    expect(box.left).toBeGreaterThanOrEqual(1440 - 288);
    expect(box.top).toBeGreaterThanOrEqual(1000 - 224);
    expect([box.right, box.bottom]).toEqual([1439, 999]);
  });

  it('lists overlay as an image inport in /graphs', async () => {
    const { inports } = (await (await sys.request('/graphs/watermark')).json()) as { inports: Record<string, { type: string }> };
    expect(inports.overlay!.type).toBe('image');
    expect(inports.input!.type).toBe('uri');
  });

  it('answers the overlay\'s failures as the input\'s: missing, refused by the fetch policy, over the pixel limit', async () => {
    const at = (overlay: string) => sys.request(`/graph/watermark.png?input=files%2Fmountains.png&overlay=${encodeURIComponent(overlay)}`);
    const missing = await at('files/nope.png');
    expect([missing.status, await missing.json()]).toEqual([504, expect.objectContaining({ reason: 'input-fetch-failed', input: 'files/nope.png', inport: 'overlay' })]);
    const internal = await at('http://127.0.0.1:6379/logo.png');
    expect([internal.status, ((await internal.json()) as { reason: string }).reason]).toEqual([504, 'input-fetch-failed']);
    const started = Date.now();
    const big = await at('https://bomb.example/logo.png');
    expect([big.status, ((await big.json()) as { reason: string }).reason]).toEqual([422, 'input-pixels']);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('never answers an overlay\'s failure with the fallback, which stands in for the input only', async () => {
    for (const [overlay, status] of [
      ['files%2Fabsent-logo.png', 504],
      ['ftp%3A%2F%2Fx.example%2Flogo.png', 504],
      // Its header passes; its pixels fail to decode, in the processing process.
      [encodeURIComponent('https://broken.example/logo.png'), 415],
    ] as const) {
      const before = await sys.published();
      const res = await sys.request(`/graph/watermark.png?input=files%2Fmountains.png&overlay=${overlay}&fallback=files%2Fgridbear.jpg`);
      expect([res.status, ((await res.json()) as { inport: string }).inport]).toEqual([status, 'overlay']);
      // At most the job itself: none for the fallback, whose overlay would fail the same way.
      expect(await sys.published()).toBeLessThanOrEqual(before + 1);
    }
    const input = await sys.request('/graph/watermark.png?input=files%2Fabsent.png&overlay=files%2Fhappy-kitten.svg&fallback=files%2Fgridbear.jpg');
    expect(input.status).toBe(302);
  });

  it('takes a chained overlay: the result of a processing URL, made as part of the job', async () => {
    const overlay = encodeURIComponent('graph/canvas.png?width=50&height=40&color=%2300ff00ff');
    const res = await sys.request(`/graph/watermark.png?input=files%2Fmountains.png&overlay=${overlay}&scale=0&gravity=northwest`);
    expect(res.status).toBe(301);
    const body = (await sys.store.get(objectKeyOf(res.headers.get('location')!)))!.body;
    expect(await changedBox(body, `${ROOT}examples/mountains.png`)).toMatchObject({ left: 0, top: 0, right: 49, bottom: 39 });
    const { data } = await sharp(body).extract({ left: 10, top: 10, width: 1, height: 1 }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    expect([...data]).toEqual([0, 255, 0]);
  });

  it('counts every image inport against the chain depth, whatever is cached: an overlay chain built level by level is refused at its 4th level', async () => {
    // Level n: a watermark whose overlay is level n − 1 (level 1's overlay is a canvas). Each level
    // is requested, so made and cached, before the next names it.
    let overlay = 'graph/canvas.png?width=40&height=30&color=%23ff0000ff';
    const statuses: number[] = [];
    for (let level = 1; level <= 8; level++) {
      const url = `graph/watermark.png?input=files%2Fgridbear.jpg&overlay=${encodeURIComponent(overlay)}&scale=0.5`;
      const res = await sys.request(`/${url}`);
      statuses.push(res.status);
      if (res.status !== 301) {
        expect(await res.json()).toMatchObject({ code: 422, reason: 'invalid-parameter', parameter: 'overlay' });
        break;
      }
      overlay = url;
    }
    expect(statuses).toEqual([301, 301, 301, 422]);
    // Through `input` and `overlay` mixed, the same: the worker's rule is the edge's.
    const inner = 'graph/passthrough.png?input=files%2Fgridbear.jpg&width=30';
    const mixed = `graph/watermark.png?input=${encodeURIComponent(`graph/passthrough.png?input=${encodeURIComponent(inner)}`)}&overlay=${encodeURIComponent(`graph/watermark.png?input=files%2Fgridbear.jpg&overlay=${encodeURIComponent(inner)}`)}`;
    expect((await sys.request(`/${mixed}`)).status).toBe(301);
    // mixed holds two levels under each of its image inports: one level more is three, two more are four.
    const wrap = (ref: string) => `graph/passthrough.png?input=${encodeURIComponent(ref)}`;
    expect((await sys.request(`/${wrap(mixed)}`)).status).toBe(301);
    const deeper = await sys.request(`/${wrap(wrap(mixed))}`);
    expect([deeper.status, ((await deeper.json()) as { parameter: string }).parameter]).toEqual([422, 'input']);
  });

  it('records the overlay in the result\'s lineage, so a purge of it reaches the result', async () => {
    const res = await sys.request(`${WATERMARK}&margin=8`);
    const objectKey = objectKeyOf(res.headers.get('location')!);
    expect((await sys.index.lineage({ input: 'files/happy-kitten.svg' })).map((r) => r.objectKey)).toContain(objectKey);
    expect((await sys.index.lineage({ input: 'files/mountains.png' })).map((r) => r.objectKey)).toContain(objectKey);
  });

  it('purges by a source every result that used it, through chained inputs and overlays too', async () => {
    const inner = 'graph/crop.png?input=files%2Fgrid-toastybob.jpg&cropwidth=60&cropheight=50';
    const urls = [
      `/graph/passthrough.png?input=${encodeURIComponent(inner)}&width=40`,
      `/graph/watermark.png?input=files%2Fmountains.png&overlay=${encodeURIComponent(`graph/passthrough.png?input=${encodeURIComponent(inner)}`)}&scale=0.1`,
    ];
    expect((await sys.request(WATERMARK)).status).toBe(301);
    const objects = [];
    for (const url of urls) {
      const res = await sys.request(url);
      expect(res.status).toBe(301);
      objects.push(objectKeyOf(res.headers.get('location')!));
    }
    const result = await purge({ index: sys.index, store: sys.store, graphs: new Set(['crop', 'passthrough', 'watermark']), cdn: null, now: Date.now }, { input: 'files/grid-toastybob.jpg' });
    expect(result.objects).toEqual(expect.arrayContaining(objects));
    for (const url of urls) expect((await sys.request(url, { method: 'HEAD' })).status).toBe(404);
    // What was not made from it stays.
    expect((await sys.request(WATERMARK, { method: 'HEAD' })).status).toBe(301);
  });
});
