/** The `imgflo` command line and scripts/prewarm.sh against the running service. */
import { execFile, execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
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

  it('refuses, in one line and before signing, what the service would refuse', async () => {
    const refused = async (args: string[], message: RegExp) => {
      const e = (await imgflo(...args).then(
        () => null,
        (e: unknown) => e,
      )) as { code: number; stderr: string; stdout: string } | null;
      expect(e, args.join(' ')).not.toBeNull();
      expect(e!.code).toBe(1);
      expect(e!.stdout).toBe('');
      expect(e!.stderr.trim().split('\n')[0]).toMatch(message);
      expect(e!.stderr).not.toMatch(/\n\s+at /);
    };
    await refused(['sign', 'crop', '--input', 'files/gridbear.jpg', '--expire', '60'], /unknown option '--expire'/);
    await refused(['sign', 'nope', '--x', '1'], /unknown graph: nope/);
    await refused(['sign', 'crop', '--input', 'files/gridbear.jpg', '--x', 'abc'], /422 invalid-parameter/);
    await refused(['sign', 'crop.bmp', '--input', 'files/gridbear.jpg'], /449 unsupported-type/);
    await refused(['sign', 'crop', '--input', 'files/gridbear.jpg', '--x', '1', '--x', '2'], /--x is given more than once/);
    await refused(['sign', 'crop', '--input', 'files/gridbear.jpg', '--expires', '-10'], /--expires/);
    await refused(['prewarm', '/nonexistent/list.txt'], /^imgflo: cannot read the list \/nonexistent\/list\.txt: ENOENT$/);
    await refused(['apps', 'list', '--redis', 'redis://127.0.0.1:1'], /^imgflo: cannot reach Redis at redis:\/\/127\.0\.0\.1:1: connect ECONNREFUSED/);
    await refused(['sign', 'crop', '--input', 'files/gridbear.jpg', '--fallback', 'ftp://x'], /422 invalid-parameter: .*fallback/);
    // Half a credential: never an unsigned URL that a service with auth on refuses.
    const half = (e: NodeJS.ProcessEnv) => run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'sign', 'crop', '--input', 'files/gridbear.jpg'], { env: e }).then(() => null, (x: { code: number; stderr: string; stdout: string }) => x);
    const noSecret = await half({ ...env, IMGFLO_API_SECRET: '' });
    expect([noSecret?.code, noSecret?.stdout, noSecret?.stderr.trim()]).toEqual([1, '', 'imgflo: a key needs its secret: give --secret or IMGFLO_API_SECRET']);
    const noKey = await half({ ...env, IMGFLO_API_KEY: '' });
    expect([noKey?.code, noKey?.stdout, noKey?.stderr.trim()]).toEqual([1, '', 'imgflo: a secret needs its key: give --key or IMGFLO_API_KEY']);
  });

  it('signs preset= and fallback= URLs that the service answers, with auth on', async () => {
    const { stdout } = await imgflo('sign', 'passthrough.jpg', '--input', 'files/nonexistent.jpg', '--preset', 'thumbnail', '--fallback', 'files/gridbear.jpg');
    const url = stdout.trim();
    expect(url).toMatch(/[?&]preset=thumbnail(&|$)/);
    expect(url).toMatch(/[?&]fallback=files%2Fgridbear\.jpg(&|$)/);
    const res = await fetch(url, { redirect: 'manual' });
    // The fallback's result: a temporary redirect, the input may appear later.
    expect(res.status).toBe(302);
    const { width } = await sharp(Buffer.from(await (await fetch(res.headers.get('location')!)).arrayBuffer())).metadata();
    expect(width).toBe(320);
  });

  it('takes negative numbers as values and prints JSON on request', async () => {
    const { stdout } = await imgflo('sign', 'crop', '--input', 'files/gridbear.jpg', '--x', '-5', '--cropwidth', '50', '--expires', '600', '--json');
    const { url } = JSON.parse(stdout) as { url: string };
    expect(url).toMatch(/\/crop\?input=files%2Fgridbear\.jpg&x=-5&cropwidth=50&_exp=\d+$/);
    expect((await fetch(url, { redirect: 'manual' })).status).toBe(301);
  });

  it('pre-warms 50 URLs, following each until it is ready, then the same with prewarm.sh', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgflo-prewarm-'));
    const urls = await Promise.all(
      Array.from({ length: 50 }, (_, i) => imgfloUrl({ graph: 'passthrough', ext: 'webp', params: { input: 'files/gridbear.jpg', width: 20 + i }, key: KEY, secret: SECRET })),
    );
    const list = join(dir, 'urls.txt');
    writeFileSync(list, `# pre-warm list\n${urls.join('\n')}\n\n`);
    const { stdout } = await imgflo('prewarm', list, '--concurrency', '8');
    const lines = stdout.trim().split('\n');
    expect(lines.filter((l) => /^\[\d+\/50\] ready /.test(l))).toHaveLength(50);
    expect(lines.at(-1)).toMatch(/^50 URLs in [\d.]+ s: 50 ready, 0 failed$/);
    // prewarm waited for each result: every one is in the cache now.
    for (const u of urls) expect((await fetch(`${stack.edgeUrl}${u}`, { method: 'HEAD', redirect: 'manual' })).status, u).toBe(301);
    const sh = (await run('sh', [`${ROOT}scripts/prewarm.sh`, '-P', '6', list], { env }).catch((e: unknown) => e)) as { stdout: string; code?: number };
    expect(sh.code, sh.stdout).toBeUndefined();
    const shLines = sh.stdout.trim().split('\n');
    expect(shLines.filter((l) => /^301 http/.test(l))).toHaveLength(50);
    expect(shLines.at(-1)).toMatch(/^50 URLs: 301 ×50; 0 failed$/);
  });

  it('exits 1 and names each failing URL with its reason', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgflo-prewarm-'));
    const list = join(dir, 'bad.txt');
    const good = await imgfloUrl({ graph: 'passthrough', ext: 'png', params: { input: 'files/gridbear.jpg', width: 33 }, key: KEY, secret: SECRET });
    // Accepted (202), then the job fails: the input does not exist.
    const missing = await imgfloUrl({ graph: 'passthrough', ext: 'png', params: { input: 'files/not-there.jpg' }, key: KEY, secret: SECRET });
    const forged = `/graph/${KEY}/${'0'.repeat(32)}/crop?input=files%2Fgridbear.jpg`;
    writeFileSync(list, `${good}\n${missing}\n${forged}\n/graph/nope?input=x\n`);
    const e = (await imgflo('prewarm', list, '--wait', '60').catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(e.code).toBe(1);
    expect(e.stdout).toMatch(/^4 URLs in [\d.]+ s: 1 ready, 3 failed$/m);
    expect(e.stdout).toContain(`ready ${stack.edgeUrl}${good}`);
    const failures = e.stderr.trim().split('\n').sort();
    expect(failures).toHaveLength(3);
    expect(failures).toContainEqual(expect.stringMatching(new RegExp(`^failed: ${stack.edgeUrl}${missing.replace(/[?.]/g, '\\$&')}: 504 input-fetch-failed: Failed to fetch input files/not-there.jpg`)));
    expect(failures).toContainEqual(expect.stringMatching(/^failed: .*\/crop\?input=files%2Fgridbear\.jpg: 403 forbidden: Forbidden$/));
    expect(failures).toContainEqual(expect.stringMatching(/^failed: .*\/graph\/nope\?input=x: 404 unknown-graph: /));
    const json = (await imgflo('prewarm', list, '--json').catch((e: unknown) => e)) as { code: number; stdout: string };
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ total: 4, ready: 1, failed: expect.arrayContaining([expect.objectContaining({ reason: 'input-fetch-failed', status: 504 })]) });
    // The missing input's failure is remembered now: its POST answers it (504), not another 202.
    const sh = (await run('sh', [`${ROOT}scripts/prewarm.sh`, list], { env }).catch((x: unknown) => x)) as { code: number; stdout: string };
    expect(sh.code).toBe(1);
    expect(sh.stdout).toMatch(/4 URLs: .*; 3 failed/);
    expect(sh.stdout).toMatch(new RegExp(`^504 ${stack.edgeUrl}${missing.replace(/[?.]/g, '\\$&')}$`, 'm'));
    const again = await fetch(`${stack.edgeUrl}${missing}`, { method: 'POST', redirect: 'manual' });
    expect([again.status, (await again.json()).reason]).toEqual([504, 'input-fetch-failed']);
    await expect(run('sh', [`${ROOT}scripts/prewarm.sh`, join(dir, 'absent.txt')], { env })).rejects.toMatchObject({ code: 2, stderr: expect.stringMatching(/cannot read the list/) });
  });

  it('runs from a production install (npm ci --omit=dev in a copy), without tsx', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'imgflo-production-'));
    const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: ROOT }).toString().split('\0').filter(Boolean);
    for (const f of files) {
      if (!existsSync(join(ROOT, f))) continue;
      mkdirSync(dirname(join(copy, f)), { recursive: true });
      copyFileSync(join(ROOT, f), join(copy, f));
    }
    execFileSync('npm', ['ci', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: copy, stdio: 'ignore' });
    expect(existsSync(join(copy, 'node_modules', 'tsx'))).toBe(false);
    const cli = (...args: string[]) => run(process.execPath, [join(copy, 'bin', 'imgflo.mjs'), ...args], { env, cwd: copy });
    expect((await cli('--version')).stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version);
    const signed = (await cli('sign', 'crop', '--input', 'files/gridbear.jpg', '--x', '-5', '--cropwidth', '50')).stdout.trim();
    expect(signed).toMatch(new RegExp(`^${stack.edgeUrl}/graph/${KEY}/[A-Za-z0-9_-]{43}/crop\\?input=files%2Fgridbear\\.jpg&x=-5&cropwidth=50$`));
    expect((await fetch(signed, { redirect: 'manual' })).status).toBe(301);
    const info = (await cli('sign', 'info', '--input', 'files/mountains.png')).stdout.trim();
    expect(info).toMatch(new RegExp(`^${stack.edgeUrl}/info/${KEY}/[A-Za-z0-9_-]{43}\\?input=files%2Fmountains\\.png$`));
    const list = join(copy, 'urls.txt');
    const missing = await imgfloUrl({ graph: 'passthrough', params: { input: 'files/absent-in-production.png' }, key: KEY, secret: SECRET });
    writeFileSync(list, `${signed}\n${info}\n${missing}\n`);
    const e = (await cli('prewarm', list).catch((e: unknown) => e)) as { code: number; stdout: string; stderr: string };
    expect(e.code).toBe(1);
    expect(e.stdout).toMatch(/^3 URLs in [\d.]+ s: 2 ready, 1 failed$/m);
    // Pre-warmed: the signed /info URL answers its JSON from the cache.
    expect(await (await fetch(info)).json()).toMatchObject({ width: 1440, height: 1000, format: 'png' });
    expect(e.stderr.trim()).toMatch(/^failed: \S+absent-in-production\.png: 504 input-fetch-failed: Failed to fetch input files\/absent-in-production\.png/);
  }, 300_000);

  it('explains every command, and has a version', async () => {
    for (const args of [['--help'], ['help'], ['help', 'sign'], ['sign', '--help'], ['sign', 'crop', '--help'], ['prewarm', '--help'], ['purge', '--help'], ['apps', '--help'], ['apps', 'add', '--help']]) {
      const { stdout } = await imgflo(...args);
      expect(stdout, args.join(' ')).toMatch(/^Usage: imgflo/);
    }
    expect((await imgflo('sign', 'crop', '--help')).stdout).toMatch(/--cropwidth <value>/);
    expect((await imgflo('--version')).stdout.trim()).toBe(JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).version);
  });
});

describe('the built command line', () => {
  it('is bin/imgflo.mjs as built from the sources', () => {
    const dir = mkdtempSync(join(tmpdir(), 'imgflo-cli-build-'));
    const script = JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')).scripts['build:cli'] as string;
    execFileSync('sh', ['-c', script.replace('--outfile=bin/imgflo.mjs', `--outfile=${dir}/imgflo.mjs`)], { cwd: ROOT, env: { ...process.env, PATH: `${ROOT}node_modules/.bin:${process.env.PATH}` } });
    expect(readFileSync(`${dir}/imgflo.mjs`, 'utf8'), 'run npm run build:cli and commit bin/imgflo.mjs').toBe(readFileSync(`${ROOT}bin/imgflo.mjs`, 'utf8'));
  });
});

const withServices = (await redisAvailable()) && (await s3Available());
const S3 = { IMGFLO_S3_ENDPOINT: S3_ENDPOINT, IMGFLO_S3_BUCKET: 'imgflo-test', AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', IMGFLO_S3_PREFIX: `purge-${crypto.randomUUID().slice(0, 8)}` };

describe.each([
  { mode: 'local disk and the embedded index (npm start)', settings: async () => ({}), runs: true },
  { mode: 'S3 and Redis', settings: async () => ({ IMGFLO_REDIS_URL: await freshRedisDb(11), ...S3 }), runs: withServices },
])('imgflo purge with $mode', ({ settings, runs }) => {
  let stack: Stack;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    if (!runs) return;
    // The edge remembers hits for IMGFLO_EDGE_MEMO_SECONDS; off here, to see the purge at once.
    // Purged objects stay readable for IMGFLO_REDIRECT_MAX_AGE: 3 s here, to see them go.
    stack = await startTestStack({ IMGFLO_EDGE_MEMO_SECONDS: '0', IMGFLO_REDIRECT_MAX_AGE: '3', ...(await settings()) });
    // Only the backend's address and token: the store and index are the backend's own.
    env = { PATH: process.env.PATH, IMGFLO_BRIDGE_URL: stack.backendUrl, IMGFLO_BRIDGE_TOKEN: stack.env.IMGFLO_BRIDGE_TOKEN };
  });
  afterAll(async () => {
    await stack?.stop();
  });

  const get = (path: string, method = 'GET') => fetch(`${stack.edgeUrl}${path}`, { method, redirect: 'manual' });
  // Run from elsewhere: nothing depends on the directory the command is started in.
  const purge = (...args: string[]) => run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'purge', ...args], { env, cwd: tmpdir() });

  it.runIf(runs)('removes the results of a graph, then of an input, from the index, and from the store once their redirects have expired', async () => {
    const crops = ['/graph/crop.png?input=files%2Fgridbear.jpg&x=1', '/graph/crop.png?input=files%2Fgridbear.jpg&x=2'];
    const keep = '/graph/passthrough.png?input=files%2Fgridbear.jpg&width=30';
    const blur = '/graph/gaussianblur.jpg?input=files%2Fgrid-toastybob.jpg&std-dev-x=2';
    const locations: Record<string, string> = {};
    for (const p of [...crops, keep, blur]) {
      const res = await get(p);
      expect(res.status).toBe(301);
      locations[p] = res.headers.get('location')!;
    }
    const dry = await purge('--graph', 'crop', '--dry-run', '--json');
    expect(JSON.parse(dry.stdout)).toMatchObject({ graph: 'crop', purged: 2, dryRun: true });
    expect((await get(crops[0]!, 'HEAD')).status).toBe(301);
    const { stdout } = await purge('--graph', 'crop');
    expect(stdout).toMatch(/^graph: crop\npurged: 2\ndryRun: false\n/);
    const purgedAt = Date.now();
    for (const p of crops) {
      expect((await get(p, 'HEAD')).status).toBe(404);
      // A redirect a browser still holds leads to the old bytes until its max-age has passed.
      expect((await fetch(locations[p]!)).status).toBe(200);
    }
    expect((await get(keep, 'HEAD')).status).toBe(301);
    expect((await fetch(locations[keep]!)).status).toBe(200);

    const byInput = await purge('--input', 'files/grid-toastybob.jpg', '--json');
    expect(JSON.parse(byInput.stdout)).toMatchObject({ input: 'files/grid-toastybob.jpg', purged: 1 });
    expect((await get(blur, 'HEAD')).status).toBe(404);
    expect((await fetch(locations[blur]!)).status).toBe(200);
    expect((await get(keep, 'HEAD')).status).toBe(301);
    // Nothing comes back by itself (a worker finding the object does not take it back)...
    await new Promise((r) => setTimeout(r, 500));
    expect((await get(crops[1]!, 'HEAD')).status).toBe(404);
    // ...a purged URL is processed again on the next GET...
    expect((await get(crops[0]!)).status).toBe(301);
    // ...and once the redirects' max-age has passed the workers remove the purged objects.
    for (const p of [...crops, blur]) {
      await expect.poll(async () => (await fetch(locations[p]!)).status, { timeout: 15_000, interval: 250 }).toBe(404);
    }
    expect(Date.now() - purgedAt).toBeGreaterThanOrEqual(3000);
    expect((await fetch(locations[keep]!)).status).toBe(200);
    const again = await get(crops[0]!, 'HEAD');
    expect(again.status).toBe(301);
    expect((await fetch(again.headers.get('location')!)).status).toBe(200);
    // A graph name nobody knows is an error, not "purged: 0".
    await expect(purge('--graph', 'crpo')).rejects.toMatchObject({ code: 1, stderr: 'imgflo: no graph is named crpo (did you mean crop?), and no results of one by that name are recorded\n' });
    await expect(purge('--graph', 'zzzzzz')).rejects.toMatchObject({ code: 1, stderr: 'imgflo: no graph is named zzzzzz, and no results of one by that name are recorded\n' });
    expect(JSON.parse((await purge('--graph', 'resize', '--json')).stdout)).toMatchObject({ graph: 'resize', purged: 0 });
  });

  it.runIf(runs)('refuses without the backend token, in one line', async () => {
    await expect(run(process.execPath, [`${ROOT}bin/imgflo.mjs`, 'purge', '--graph', 'crop'], { env: { ...env, IMGFLO_BRIDGE_TOKEN: 'not-the-token-at-all' } })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^imgflo: the backend at http:\/\/127\.0\.0\.1:\d+ refused the token: give its IMGFLO_BRIDGE_TOKEN\n$/),
    });
  });
});
