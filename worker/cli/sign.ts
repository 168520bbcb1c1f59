/** `imgflo sign GRAPH[.EXT] --input URL --PARAM VALUE ...`: prints a signed processing URL. */
import { parseArgs } from 'node:util';
import { imgfloUrl } from '../../shared/client.ts';
import { CliError } from './apps.ts';

export const SIGN_HELP = `usage: imgflo sign GRAPH[.EXT] --input URL [--PARAM VALUE ...] [options]

Prints the processing URL, signed when a key and secret are given (v2 HMAC by default).

options:
  --server URL     the service (default: IMGFLO_API_SERVER, else a relative URL)
  --key KEY        the app key (default: IMGFLO_API_KEY)
  --secret SECRET  the app secret (default: IMGFLO_API_SECRET)
  --v1             sign with the original imgflo MD5 token instead
  --expires S      the URL expires S seconds from now
Every other --NAME VALUE becomes a parameter, in the order given.`;

const OWN = new Set(['server', 'key', 'secret', 'v1', 'expires', 'help']);

export async function runSign(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { tokens } = parseArgs({ args, strict: false, allowPositionals: true, tokens: true });
  const own: Record<string, string | boolean> = {};
  const params: Array<[string, string]> = [];
  let graphspec: string | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind === 'positional') {
      if (graphspec) throw new CliError(`unexpected argument: ${t.value}`);
      graphspec = t.value;
    } else if (t.kind === 'option') {
      let value: string | boolean | undefined = t.value;
      if (value === undefined && !['v1', 'help'].includes(t.name)) {
        const next = tokens[i + 1];
        if (next?.kind === 'positional') {
          value = next.value;
          i++;
        }
      }
      if (OWN.has(t.name)) own[t.name] = value ?? true;
      else if (typeof value === 'string') params.push([t.name, value]);
      else throw new CliError(`--${t.name} needs a value`);
    }
  }
  if (own.help) return SIGN_HELP;
  if (!graphspec) throw new CliError('which graph? (imgflo sign GRAPH[.EXT] ...)');
  const dot = graphspec.lastIndexOf('.');
  const expires = typeof own.expires === 'string' ? Math.floor(Date.now() / 1000) + Number(own.expires) : undefined;
  if (expires !== undefined && !Number.isFinite(expires)) throw new CliError('--expires takes seconds');
  return imgfloUrl({
    server: (own.server as string | undefined) ?? env.IMGFLO_API_SERVER ?? '',
    graph: dot > 0 ? graphspec.slice(0, dot) : graphspec,
    ext: dot > 0 ? graphspec.slice(dot + 1) : undefined,
    params,
    key: (own.key as string | undefined) ?? env.IMGFLO_API_KEY,
    secret: (own.secret as string | undefined) ?? env.IMGFLO_API_SECRET,
    version: own.v1 ? 'v1' : 'v2',
    expires,
  });
}
