/**
 * The `imgflo` command line: sign, prewarm, purge, apps. Built into bin/imgflo.mjs
 * (`npm run build:cli`), which runs on a production install. Errors are one line, no stack.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError, Option } from 'commander';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { connectRedis, createRedis, RedisAppRegistry } from '../adapters/redis.ts';
import { loadCatalogue } from '../catalogue.ts';
import { runApps, type AppsCommand } from './apps.ts';
import { CliError, render } from './output.ts';
import { prewarm, readList, summary } from './prewarm.ts';
import { purgeThrough } from './purge.ts';
import { signCommand } from './sign.ts';

const env = process.env;
const out = (text: string) => process.stdout.write(`${text}\n`);
const err = (text: string) => process.stderr.write(`${text}\n`);

/** The package's folder: the nearest above this file (bundled in bin/ or not) with a package.json. */
function packageDir(): string {
  let dir = dirname(realpathSync(fileURLToPath(import.meta.url)));
  while (dirname(dir) !== dir && !existsSync(join(dir, 'package.json'))) dir = dirname(dir);
  return dir;
}

/** The package's graphs (or IMGFLO_GRAPHS_DIR): the catalogue `sign` checks against. */
function graphsDir(): string {
  return env.IMGFLO_GRAPHS_DIR || join(packageDir(), 'graphs');
}

/** Read where it is, not bundled: bin/imgflo.mjs holds no copy of package.json to go stale. */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(packageDir(), 'package.json'), 'utf8')) as { version: string }).version;
}

function positiveInt(name: string, max: number) {
  return (value: string) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new CliError(`${name} is a whole number from 1 to ${max}`);
    return n;
  };
}

async function withRegistry<T>(url: string | undefined, use: (registry: RedisAppRegistry) => Promise<T>): Promise<T> {
  if (!url) throw new CliError('IMGFLO_REDIS_URL (or --redis) is needed: the app registry lives in Redis');
  const redis = createRedis(url);
  // Connection errors are reported once, below, not as events.
  let cause: Error | null = null;
  redis.on('error', (e: Error) => (cause = e));
  try {
    await connectRedis(redis, 3000).catch((e: Error) => {
      throw new CliError(`cannot reach Redis at ${url.replace(/\/\/[^@/]*@/, '//…@')}: ${(cause ?? e).message}`);
    });
    return await use(new RedisAppRegistry(redis));
  } finally {
    redis.disconnect();
  }
}

function program(args: readonly string[], catalogueOf: () => Promise<Catalogue>): Promise<Command> {
  const root = new Command('imgflo')
    .description('The imgflo command line: sign processing URLs, pre-warm and purge results, manage apps.')
    .version(packageVersion(), '-V, --version')
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });

  root
    .command('prewarm')
    .summary('POST a list of processing URLs and wait until each result is ready')
    .argument('<file>', 'one URL per line (# comments; paths relative to --server); - for stdin')
    .option('-c, --concurrency <n>', 'URLs at a time', positiveInt('--concurrency', 256), 4)
    .option('--wait <seconds>', 'how long to wait for each result', positiveInt('--wait', 86_400), 300)
    .option('--server <url>', 'the service, for paths (default: IMGFLO_API_SERVER)')
    .option('--revalidate', 'for a URL already cached, check its sources now: a changed one is processed again into a new result')
    .option('--json', 'print the outcome of every URL as JSON')
    .action(async (file: string, o: { concurrency: number; wait: number; server?: string; revalidate?: boolean; json?: boolean }) => {
      const started = Date.now();
      const urls = await readList(file, o.server ?? env.IMGFLO_API_SERVER ?? 'http://127.0.0.1:8787');
      const outcomes = await prewarm({ urls, concurrency: o.concurrency, waitSeconds: o.wait, revalidate: Boolean(o.revalidate), tty: !o.json && Boolean(process.stderr.isTTY), quiet: Boolean(o.json), out, err });
      out(o.json ? render({ total: outcomes.length, ready: outcomes.filter((r) => r.ok).length, failed: outcomes.filter((r) => !r.ok) }, true) : summary(outcomes, (Date.now() - started) / 1000));
      if (outcomes.some((r) => !r.ok)) process.exitCode = 1;
    });

  root
    .command('purge')
    .summary('remove every result of a graph or of an input from the index and storage')
    .addOption(new Option('--graph <name>', 'the results of this graph').conflicts('input'))
    .option('--input <url>', 'the results of this input, as written in processing URLs (files/a.png, https://...)')
    .option('--dry-run', 'only list what would be removed')
    .option('--backend <url>', 'a backend holding the store: all-in-one, or any worker (default: IMGFLO_BRIDGE_URL, else http://127.0.0.1:8080)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nUsage: imgflo purge --graph NAME | --input URL [--dry-run]\nThe backend checks IMGFLO_BRIDGE_TOKEN (from the environment).')
    .action(async (o: { graph?: string; input?: string; dryRun?: boolean; backend?: string; json?: boolean }) => {
      if (!o.graph && !o.input) throw new CliError('give --graph NAME or --input URL');
      if (!env.IMGFLO_BRIDGE_TOKEN) throw new CliError('IMGFLO_BRIDGE_TOKEN is needed: the backend only purges for who holds it');
      const result = await purgeThrough(o.backend ?? env.IMGFLO_BRIDGE_URL ?? 'http://127.0.0.1:8080', env.IMGFLO_BRIDGE_TOKEN, { graph: o.graph, input: o.input, dryRun: Boolean(o.dryRun) });
      out(render(result, Boolean(o.json)));
    });

  const apps = root.command('apps').summary('manage client applications in the app registry (Redis at IMGFLO_REDIS_URL)');
  const appAction = (name: string, summary: string, withKey: boolean, options: (c: Command) => Command = (c) => c) => {
    const c = apps.command(name).summary(summary);
    if (withKey) c.argument('<key>', 'the app key');
    options(c).option('--redis <url>', 'the registry (default: IMGFLO_REDIS_URL)').option('--json', 'print JSON');
    c.action(async (...given: unknown[]) => {
      const key = withKey ? (given[0] as string) : undefined;
      const o = given[withKey ? 1 : 0] as Omit<AppsCommand, 'action' | 'key'> & { redis?: string; json?: boolean };
      const result = await withRegistry(o.redis ?? env.IMGFLO_REDIS_URL, (registry) => runApps(registry, { ...o, action: name, key }, undefined, () => loadCatalogue(graphsDir())));
      out(render(result, Boolean(o.json)));
    });
  };
  appAction('add', 'make an app; prints its key and secret (the secret only this once)', false, (c) =>
    c.option('--label <text>', 'what the app is').option('--owner <email>', 'who to ask about it').option('--admin', 'may use _nocache').option('--quota <n>', 'processed images a month, or "unlimited"').option('--fallback <input>', 'files/<name> or a URL processed instead of an input that fails'),
  );
  appAction('list', 'every app, without secrets', false);
  appAction('show', 'one app, without secrets', true);
  appAction('disable', 'refuse its URLs', true);
  appAction('enable', 'accept its URLs again', true);
  appAction('rotate', 'add a new secret (printed once); the old ones stay valid', true);
  appAction('retire-secret', 'keep only the newest secret', true);
  appAction('set-quota', 'processed images a calendar month (0: cached results only)', true, (c) => c.requiredOption('--quota <n>', 'a number, or "unlimited"'));
  appAction('set-preset', "add or change one of the app's presets (checked against the graph)", true, (c) =>
    c.requiredOption('--graph <name>', 'the graph').requiredOption('--name <name>', 'the preset, used as preset=<name>').requiredOption('--params <query>', 'its parameters, e.g. "width=300&quality=70"').option('--description <text>', 'what it is for'),
  );
  appAction('remove-preset', "remove one of the app's presets", true, (c) => c.requiredOption('--graph <name>', 'the graph').requiredOption('--name <name>', 'the preset'));
  appAction('set-fallback', 'the input processed instead of one that cannot be fetched or decoded', true, (c) => c.requiredOption('--fallback <input>', 'files/<name>, an http(s) URL, or "none"'));

  // sign's options are the graph's own parameters, so the command is made for the graph named.
  return (async () => {
    if (args[0] === 'sign' || (args[0] === 'help' && args[1] === 'sign')) root.addCommand(signCommand(await catalogueOf(), args.slice(1), env, out, err));
    else root.command('sign').summary('print a processing URL, signed when a key and secret are given').allowUnknownOption().allowExcessArguments();
    return root;
  })();
}

async function main(args: string[]): Promise<number> {
  try {
    const root = await program(args, () => loadCatalogue(graphsDir()));
    root.exitOverride();
    await root.parseAsync(args, { from: 'user' });
    return Number(process.exitCode ?? 0);
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    err(`imgflo: ${e instanceof CliError ? e.message : env.IMGFLO_DEBUG ? (e as Error).stack : (e as Error).message}`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
