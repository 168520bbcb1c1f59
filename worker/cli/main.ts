/** The `imgflo` command line: apps, sign, prewarm. */
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { connectRedis, createRedis, RedisAppRegistry, RedisCacheIndex } from '../adapters/redis.ts';
import { createS3Client, S3ObjectStore } from '../adapters/s3.ts';
import { loadBackendConfig } from '../config.ts';
import { LocalDiskObjectStore } from '../storage/local-disk.ts';
import { purge, PURGE_HELP } from './purge.ts';
import { CliError, runApps } from './apps.ts';
import { prewarm, PREWARM_HELP } from './prewarm.ts';
import { runSign } from './sign.ts';

const HELP = `usage: imgflo <command> [options]

commands:
  sign       print a (signed) processing URL
  prewarm    POST a list of processing URLs so their results are ready
  purge      remove the results of a graph or of an input from the index and storage
  apps       manage client applications in the app registry (needs IMGFLO_REDIS_URL)

Run "imgflo <command> --help" for a command's options.`;

const APPS_HELP = `usage: imgflo apps <action> [KEY] [options]

actions:
  add [--label TEXT] [--owner EMAIL] [--admin] [--quota N|unlimited]
                          make an app; prints its key and secret (the secret only this once)
  list                    every app, without secrets
  show KEY                one app, without secrets
  disable KEY | enable KEY
  rotate KEY              add a new secret (printed once); the old ones stay valid
  retire-secret KEY       keep only the newest secret
  set-quota KEY --quota N|unlimited
                          processed images a calendar month (0: cached results only)

The registry is the Redis at IMGFLO_REDIS_URL (or --redis URL). Output is JSON.`;

async function apps(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      label: { type: 'string' },
      owner: { type: 'string' },
      admin: { type: 'boolean' },
      quota: { type: 'string' },
      redis: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [action, key] = positionals;
  if (values.help || !action) {
    console.log(APPS_HELP);
    return values.help ? 0 : 2;
  }
  const url = values.redis ?? process.env.IMGFLO_REDIS_URL;
  if (!url) throw new CliError('IMGFLO_REDIS_URL (or --redis) is needed: the app registry lives in Redis');
  const redis = createRedis(url);
  try {
    await connectRedis(redis, 5000);
    const out = await runApps(new RedisAppRegistry(redis), { action, key, label: values.label, owner: values.owner, admin: values.admin, quota: values.quota });
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } finally {
    redis.disconnect();
  }
}

async function prewarmCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { concurrency: { type: 'string', short: 'c' }, server: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help || positionals.length !== 1) {
    console.log(PREWARM_HELP);
    return values.help ? 0 : 2;
  }
  const concurrency = Number(values.concurrency ?? 4);
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw new CliError('--concurrency is 1 to 256');
  const { failed } = await prewarm({
    source: positionals[0]!,
    concurrency,
    server: values.server ?? process.env.IMGFLO_API_SERVER ?? 'http://127.0.0.1:8787',
    tty: Boolean(process.stderr.isTTY),
    write: (line) => console.log(line),
  });
  return failed > 0 ? 1 : 0;
}

async function purgeCommand(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { graph: { type: 'string' }, input: { type: 'string' }, 'dry-run': { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  });
  if (values.help) {
    console.log(PURGE_HELP);
    return 0;
  }
  const config = loadBackendConfig({ IMGFLO_ROLE: 'all', IMGFLO_BRIDGE_TOKEN: 'x'.repeat(16), ...process.env });
  if (!config.redisUrl) throw new CliError('IMGFLO_REDIS_URL is needed: the index and the lineage records live in Redis');
  const redis = createRedis(config.redisUrl);
  try {
    await connectRedis(redis, 5000);
    const store = config.s3 ? new S3ObjectStore(createS3Client(config.s3), config.s3.bucket) : new LocalDiskObjectStore(join(config.dataDir, 'objects'));
    const out = await purge(new RedisCacheIndex(redis), store, { graph: values.graph, input: values.input, dryRun: values['dry-run'] });
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } finally {
    redis.disconnect();
  }
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'apps':
        return await apps(rest);
      case 'sign': {
        const out = await runSign(rest, process.env);
        console.log(out);
        return 0;
      }
      case 'prewarm':
        return await prewarmCommand(rest);
      case 'purge':
        return await purgeCommand(rest);
      case '--help':
      case '-h':
        console.log(HELP);
        return 0;
      default:
        console.error(command ? `unknown command: ${command}\n\n${HELP}` : HELP);
        return 2;
    }
  } catch (e) {
    if (e instanceof CliError || (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`imgflo: ${(e as Error).message}`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = await main(process.argv.slice(2));
