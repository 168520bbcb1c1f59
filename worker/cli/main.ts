/** The `imgflo` command line. */
import { parseArgs } from 'node:util';
import { connectRedis, createRedis, RedisAppRegistry } from '../adapters/redis.ts';
import { CliError, runApps } from './apps.ts';

const HELP = {
  imgflo: `usage: imgflo <command> [options]

commands:
  apps     manage client applications in the app registry (needs IMGFLO_REDIS_URL)

Run "imgflo <command> --help" for a command's options.`,
  apps: `usage: imgflo apps <action> [KEY] [options]

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

The registry is the Redis at IMGFLO_REDIS_URL (or --redis URL). Output is JSON.`,
};

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') {
    console.log(HELP.imgflo);
    return command ? 0 : 2;
  }
  if (command !== 'apps') {
    console.error(`unknown command: ${command}\n\n${HELP.imgflo}`);
    return 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
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
    console.log(HELP.apps);
    return values.help ? 0 : 2;
  }
  const url = values.redis ?? process.env.IMGFLO_REDIS_URL;
  if (!url) {
    console.error('IMGFLO_REDIS_URL (or --redis) is needed: the app registry lives in Redis');
    return 2;
  }
  const redis = createRedis(url);
  try {
    await connectRedis(redis, 5000);
    const out = await runApps(new RedisAppRegistry(redis), { action, key, label: values.label, owner: values.owner, admin: values.admin, quota: values.quota });
    console.log(JSON.stringify(out, null, 2));
    return 0;
  } catch (e) {
    if (e instanceof CliError) {
      console.error(`imgflo: ${e.message}`);
      return 1;
    }
    throw e;
  } finally {
    redis.disconnect();
  }
}

process.exitCode = await main(process.argv.slice(2));
