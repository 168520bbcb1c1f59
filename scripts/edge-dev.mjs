/**
 * Runs a Worker on wrangler's dev server (its programmatic API: the same bundling, Miniflare
 * and workerd as `wrangler dev`) with the devtools inspector off. Under `wrangler dev` every
 * devtools event of the worker — each console line, four per outbound fetch — is relayed to
 * wrangler's Node process and appended to its debug log: about 10 ms of CPU per cache miss on
 * a 2-core machine, which a deployed Worker never pays. The benchmark runs its edges this way.
 *   node scripts/edge-dev.mjs --config wrangler.toml --port 8787 [--env-file F] [--persist DIR] [--log-level warn|log]
 * `npm start` runs its edge this way too, at level `log`: the edge's JSON lines reach the terminal.
 */
import { parseArgs } from 'node:util';
import { unstable_startWorker } from 'wrangler';

const { values } = parseArgs({
  options: { config: { type: 'string', default: 'wrangler.toml' }, port: { type: 'string' }, 'env-file': { type: 'string' }, persist: { type: 'string' }, 'log-level': { type: 'string', default: 'warn' } },
});
const worker = await unstable_startWorker({
  config: values.config,
  ...(values['env-file'] && { envFiles: [values['env-file']] }),
  dev: {
    inspector: false,
    server: { hostname: '127.0.0.1', port: Number(values.port ?? 8787) },
    persist: values.persist ?? false,
    logLevel: values['log-level'],
  },
});
await worker.ready;
const stop = async () => {
  await worker.dispose();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
