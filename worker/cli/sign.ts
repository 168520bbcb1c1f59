/**
 * `imgflo sign GRAPH[.EXT] --input URL --PARAM VALUE ...`: prints a processing URL, signed when
 * a key and secret are given. The graph's parameters become options of the command (so a typo
 * is an unknown option and `--x -5` a value), and the request is checked as the service checks
 * it (shared/request.ts) against the local catalogue before anything is signed.
 */
import { Command, Option } from 'commander';
import * as v from 'valibot';
import { imgfloInfoUrl, imgfloUrl } from '../../shared/client.ts';
import { isImgfloError } from '../../shared/errors.ts';
import { describeGraph, type Catalogue, type GraphEntry } from '../../shared/graph/catalogue.ts';
import { INFO_ENTRY } from '../../shared/info.ts';
import { withPreset } from '../../shared/presets.ts';
import { resolveRequest } from '../../shared/request.ts';
import { didYouMean } from '../../shared/suggest.ts';
import { INFO_SPEC } from '../../shared/url.ts';
import { SHARED_SETTINGS } from '../../shared/settings.ts';
import { CliError, render } from './output.ts';

/** The graph named in `sign`'s arguments: the first one that is no option and no option's value. */
export function graphOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (!a.startsWith('-')) return a;
    if (!a.includes('=') && !['--v1', '--json', '--help', '-h'].includes(a)) i++;
  }
  return undefined;
}

function splitSpec(spec: string): { graph: string; ext: string } {
  const dot = spec.lastIndexOf('.');
  return dot > 0 ? { graph: spec.slice(0, dot), ext: spec.slice(dot + 1) } : { graph: spec, ext: '' };
}

export function signCommand(catalogue: Catalogue, args: readonly string[], env: NodeJS.ProcessEnv, out: (text: string) => void, warn: (text: string) => void): Command {
  const spec = graphOf(args);
  // `info` is the /info route: the input's description, signed over the graphspec `info`.
  const entry = spec === INFO_SPEC ? INFO_ENTRY : spec ? catalogue.get(splitSpec(spec).graph) : undefined;
  const cmd = new Command('sign')
    .summary('print a processing URL, signed when a key and secret are given')
    .argument('<graph>', 'GRAPH or GRAPH.EXT (jpg, png, webp, avif, gif, auto), or info for the /info URL of an input')
    .option('--server <url>', 'the service (default: IMGFLO_API_SERVER)')
    .option('--key <key>', 'the app key (default: IMGFLO_API_KEY)')
    .option('--secret <secret>', 'the app secret (default: IMGFLO_API_SECRET)')
    .option('--v1', 'sign with the original imgflo MD5 token instead of v2 HMAC')
    .option('--expires <seconds>', 'the URL expires this many seconds from now')
    .option('--json', 'print {"url": ...}');
  // An unknown graph is reported as such, not as unknown options.
  if (!entry) cmd.allowUnknownOption().allowExcessArguments();
  cmd.addHelpText('after', entry ? '' : `\nEach graph has its own parameters: "imgflo sign GRAPH --help" lists them. Graphs: ${[...catalogue.keys()].join(', ')}`);
  const params: Array<[string, Option]> = [];
  const addParam = (name: string, description: string) => {
    const option = new Option(`--${name} <value>`, description).argParser((value: string, previous: string | undefined) => {
      if (previous !== undefined) throw new CliError(`--${name} is given more than once`);
      return value;
    });
    cmd.addOption(option);
    params.push([name, option]);
  };
  if (entry) {
    const { inports } = describeGraph(entry);
    for (const [port, info] of Object.entries(inports)) addParam(port, `${info.description}${info.default === null ? '' : ` (default ${String(info.default)})`}`);
    // What the URL may carry besides the graph's parameters, as the service takes it.
    if (!Object.hasOwn(inports, 'preset') && entry !== INFO_ENTRY) addParam('preset', "a preset of the graph's (the service's, or the signing app's)");
    if (!entry.compiled.generative && entry !== INFO_ENTRY && !Object.hasOwn(inports, 'fallback')) addParam('fallback', 'files/<name> or an http(s) URL processed instead of an input that cannot be fetched or decoded');
  }
  cmd.action(async (graphspec: string, o: Record<string, string | boolean | undefined>) => {
    const { graph, ext } = splitSpec(graphspec);
    if (!entry) throw new CliError(`unknown graph: ${graph}${didYouMean(graph, catalogue.keys())} (graphs: ${[...catalogue.keys()].join(', ')})`);
    const pairs = params.flatMap(([port, option]) => {
      const value = o[option.attributeName()];
      return typeof value === 'string' ? [[port, value] as [string, string]] : [];
    });
    let expires: number | undefined;
    if (o.expires !== undefined) {
      const seconds = Number(o.expires);
      if (!Number.isInteger(seconds) || seconds <= 0) throw new CliError('--expires is a whole number of seconds from now, above 0');
      expires = Math.floor(Date.now() / 1000) + seconds;
    }
    try {
      resolveRequest(entry, ext, withKnownPreset(entry, pairs, warn), { sizeLimitMegapixels: v.parse(SHARED_SETTINGS.IMGFLO_SIZE_LIMIT, env.IMGFLO_SIZE_LIMIT) });
    } catch (e) {
      if (isImgfloError(e)) throw new CliError(`the service would refuse this URL: ${e.status} ${e.reason}: ${e.message}`);
      throw e;
    }
    const key = (o.key as string | undefined) ?? env.IMGFLO_API_KEY;
    const secret = (o.secret as string | undefined) ?? env.IMGFLO_API_SECRET;
    // Half a credential would print an unsigned URL that a service with auth on refuses.
    if (Boolean(key) !== Boolean(secret)) throw new CliError(key ? 'a key needs its secret: give --secret or IMGFLO_API_SECRET' : 'a secret needs its key: give --key or IMGFLO_API_KEY');
    const server = (o.server as string | undefined) ?? env.IMGFLO_API_SERVER ?? '';
    if (!server) warn('imgflo: no --server or IMGFLO_API_SERVER: the URL is relative to the service');
    const options = {
      server,
      params: pairs,
      key,
      secret,
      version: o.v1 ? ('v1' as const) : ('v2' as const),
      expires,
    };
    const url = entry === INFO_ENTRY ? await imgfloInfoUrl(options) : await imgfloUrl({ ...options, graph, ext: ext || undefined });
    out(o.json ? render({ url }, true) : url);
  });
  return cmd;
}

/**
 * The parameters as the service will see them once it expands `preset=` with the graph's own
 * presets; a preset that is not one of those may be the signing app's, which only the service
 * knows: checked there, and said here.
 */
function withKnownPreset(entry: GraphEntry, pairs: ReadonlyArray<readonly [string, string]>, warn: (text: string) => void): ReadonlyArray<readonly [string, string]> {
  const preset = pairs.find(([n]) => n === 'preset')?.[1];
  if (preset === undefined || Object.hasOwn(entry.compiled.inports, 'preset')) return pairs;
  if (Object.hasOwn(entry.presets, preset)) return withPreset(entry, pairs);
  warn(`imgflo: ${preset} is not a preset of ${entry.name} in this catalogue; the service checks it against the app's presets`);
  return pairs.filter(([n]) => n !== 'preset');
}
