/** The `imgflo` command line and scripts/prewarm.sh against the running service. */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { imgfloUrl } from '../shared/client.ts';
import { freshRedisDb, redisAvailable, s3Available, S3_ENDPOINT } from './helpers/services.ts';
import { startTestStack } from './helpers/stack.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const KEY = 'cli-test-key';
const SECRET = 'cli-test-secret-0123456789';

describe('command line tools', () => {
  let stack: Stack;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    stack = await startTestStack({ IMGFLO_API_KEY: KEY, IMGFLO_API_SECRET: SECRET });
    env = { ...process.env, IMGFLO_API_SERVER: stack.edgeUrl, IMGFLO_API_KEY: KEY, IMGFLO_API_SECRET: SECRET };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const imgflo = (...args: string[]) => run(process.execPath, [`${ROOT}bin/imgflo.mjs`, ...args], { env });

  it.each([[[]], [['--v1']]])('signs URLs the service accepts %j', async (extra) => {
    const { stdout } = await imgflo('sign', 'crop.png', '--input', 'files/gridbear.jpg', '--cropwidth', '40', '--x', String(extra.length), ...extra);
    const url = stdout.trim();
    expect(url.startsWith(`${stack.edgeUrl}/graph/${KEY}/`)).toBe(true);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(301);
    const tampered = url.replace('cropwidth=40', 'cropwidth=41');
    expect((await fetch(tampered, { redirect: 'manual' })).status).toBe(403);
  });

  it('pre-warms 50 URLs with progress and a summary, then the same with prewarm.sh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgflo-prewarm-'));
    const urls = await Promise.all(
      Array.from({ length: 50 }, (_, i) => imgfloUrl({ graph: 'passthrough', ext: 'webp', params: { input: 'files/gridbear.jpg', width: 20 + i }, key: KEY, secret: SECRET })),
    );
    const list = join(dir, 'urls.txt');
    writeFileSync(list, `# pre-warm list\n${urls.join('\n')}\n\n`);
    const { stdout } = await imgflo('prewarm', list, '--concurrency', '8');
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => /^\[\d+\/50\] (202|301) /.test(l))).toHaveLength(50);
    expect(lines.at(-1)).toMatch(/^50 URLs in [\d.]+ s: (202 ×\d+(, )?)?(301 ×\d+)?; 0 failed$/);

    // Everything is in the cache shortly after: the shell script sees 301 for all.
    for (let i = 0; i < 100; i++) {
      const head = await fetch(`${stack.edgeUrl}${urls[49]}`, { method: 'HEAD', redirect: 'manual' });
      if (head.status === 301) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 500));
    const sh = await run('sh', [`${ROOT}scripts/prewarm.sh`, '-P', '6', list], { env });
    const shLines = sh.stdout.trim().split('\n');
    expect(shLines.filter((l) => /^(202|301) http/.test(l))).toHaveLength(50);
    expect(shLines.at(-1)).toMatch(/^50 URLs: (202 ×\d+, )?301 ×\d+; 0 failed$/);
  });

  it('exits 1 and counts failures when URLs fail', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgflo-prewarm-'));
    const list = join(dir, 'bad.txt');
    writeFileSync(list, `/graph/${KEY}/${'0'.repeat(32)}/crop?input=files%2Fgridbear.jpg\n/graph/nope?input=x\n`);
    await expect(imgflo('prewarm', list)).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/2 URLs in [\d.]+ s: 403 ×1, 404 ×1; 2 failed/) });
    await expect(run('sh', [`${ROOT}scripts/prewarm.sh`, list], { env })).rejects.toMatchObject({ code: 1, stdout: expect.stringMatching(/2 URLs: 403 ×1, 404 ×1; 2 failed/) });
  });

  it('explains every command', async () => {
    for (const args of [['--help'], ['sign', '--help'], ['prewarm', '--help'], ['apps', '--help']]) {
      const { stdout } = await imgflo(...args);
      expect(stdout, args.join(' ')).toMatch(/usage: imgflo/);
    }
  });

  it('explains purge', async () => {
    expect((await imgflo('purge', '--help')).stdout).toMatch(/--graph NAME \| --input URL/);
  });
});

describe.skipIf(!(await redisAvailable()) || !(await s3Available()))('imgflo purge', () => {
  let stack: Stack;
  let env: NodeJS.ProcessEnv;
  const prefix = `purge-${crypto.randomUUID().slice(0, 8)}`;
  beforeAll(async () => {
    const DB = await freshRedisDb(11);
    const storage = { IMGFLO_S3_ENDPOINT: S3_ENDPOINT, IMGFLO_S3_BUCKET: 'imgflo-test', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', IMGFLO_S3_PREFIX: prefix };
    // The edge remembers hits for IMGFLO_EDGE_MEMO_SECONDS; off here, to see the purge at once.
    stack = await startTestStack({ IMGFLO_REDIS_URL: DB, IMGFLO_EDGE_MEMO_SECONDS: '0', ...storage });
    env = { ...process.env, IMGFLO_REDIS_URL: DB, ...storage };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const get = (path: string, method = 'GET') => fetch(`${stack.edgeUrl}${path}`, { method, redirect: 'manual' });

  it('removes the results of a graph, then of an input, from the index and the bucket', async () => {
    const crops = ['/graph/crop.png?input=files%2Fgridbear.jpg&x=1', '/graph/crop.png?input=files%2Fgridbear.jpg&x=2'];
    const keep = '/graph/passthrough.png?input=files%2Fgridbear.jpg&width=30';
    const blur = '/graph/gaussianblur.jpg?input=files%2Fgrid-toastybob.jpg&std-dev-x=2';
    const locations: Record<string, string> = {};
    for (const p of [...crops, keep, blur]) {
      const res = await get(p);
      expect(res.status).toBe(301);
      locations[p] = res.headers.get('location')!;
    }
    const { stdout } = await run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'purge', '--graph', 'crop'], { env });
    expect(JSON.parse(stdout)).toMatchObject({ graph: 'crop', purged: 2, dryRun: false });
    for (const p of crops) {
      expect((await get(p, 'HEAD')).status).toBe(404);
      expect((await fetch(locations[p]!)).status).toBe(404);
    }
    expect((await get(keep, 'HEAD')).status).toBe(301);
    expect((await fetch(locations[keep]!)).status).toBe(200);

    const byInput = await run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'purge', '--input', 'files/grid-toastybob.jpg'], { env });
    expect(JSON.parse(byInput.stdout)).toMatchObject({ input: 'files/grid-toastybob.jpg', purged: 1 });
    expect((await get(blur, 'HEAD')).status).toBe(404);
    expect((await get(keep, 'HEAD')).status).toBe(301);
    // A purged URL is processed again on the next GET.
    expect((await get(crops[0]!)).status).toBe(301);
  });
});
