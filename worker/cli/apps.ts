/**
 * `imgflo apps ...`: manages client applications in the app registry (Redis). Keys and
 * secrets come from a CSPRNG (128 and 192 bits); a secret is shown once, when it is made.
 */
import { randomBytes } from 'node:crypto';
import * as v from 'valibot';
import type { AppRecord } from '../../shared/apps.ts';
import { isImgfloError } from '../../shared/errors.ts';
import type { Catalogue } from '../../shared/graph/catalogue.ts';
import { PRESET_NAME, PresetSchema } from '../../shared/presets.ts';
import { MAX_DIMENSION } from '../../shared/reserved.ts';
import { imageInports } from '../../shared/graph/compile.ts';
import { resolveFallback, resolveRequest } from '../../shared/request.ts';
import { runtimeOf } from '../../shared/runtimes/index.ts';
import type { AppRegistry } from '../../shared/ports.ts';
import { parseQuery } from '../../shared/url.ts';
import { CliError } from './output.ts';

export const newKey = () => randomBytes(16).toString('hex');
export const newSecret = () => randomBytes(24).toString('base64url');

/** What `list` and `show` print: everything but the secrets themselves. */
export function publicView(app: AppRecord) {
  const { secrets, ...rest } = app;
  return { ...rest, secrets: secrets.length };
}

async function existing(registry: AppRegistry, key: string | undefined): Promise<AppRecord> {
  if (!key) throw new CliError('an app key is needed');
  const app = await registry.get(key);
  if (!app) throw new CliError(`no app with key ${key}`);
  return app;
}

function quotaOf(value: string): number | null {
  if (value === 'unlimited') return null;
  if (!/^\d+$/.test(value)) throw new CliError('the quota is a whole number or "unlimited"');
  return Number(value);
}

/** `files/<name>` or an http(s) URL, checked as the edge checks `fallback=`; `none` for none. */
function fallbackOf(value: string): string | null {
  if (value === 'none') return null;
  try {
    return resolveFallback(value);
  } catch (e) {
    throw new CliError(isImgfloError(e) ? e.message : String(e));
  }
}

export interface AppsCommand {
  action: string;
  key?: string;
  label?: string;
  owner?: string;
  admin?: boolean;
  quota?: string;
  fallback?: string;
  graph?: string;
  name?: string;
  /** A preset's parameters as a query: `width=300&quality=70`. */
  params?: string;
  description?: string;
}

/** A preset checked as the edge will use it: its graph exists and its parameters resolve. */
function presetOf(cmd: AppsCommand, catalogue: Catalogue) {
  const entry = catalogue.get(cmd.graph ?? '');
  if (!entry) throw new CliError(`no graph named ${cmd.graph ?? '(none)'}; --graph is needed`);
  if (Object.hasOwn(entry.compiled.inports, 'preset')) throw new CliError(`${entry.name} has its own preset parameter, so it cannot have presets`);
  const pairs = parseQuery(cmd.params?.startsWith('?') ? cmd.params : `?${cmd.params ?? ''}`);
  const r = v.safeParse(PresetSchema, { description: cmd.description ?? '', params: Object.fromEntries(pairs) });
  if (!r.success) throw new CliError(r.issues.map((i) => i.message).join('; '));
  // The URL's own images stand beside the preset: the input, and other image inports it leaves out.
  const images = imageInports(entry.compiled).filter((n) => !pairs.some(([p]) => p === n));
  const probe = [
    ...pairs,
    ...(entry.compiled.generative || !runtimeOf(entry.compiled).makesImage ? [] : [['input', 'files/probe.jpg'] as const]),
    ...images.map((n) => [n, 'files/probe.png'] as const),
  ];
  try {
    // Sizes are checked against the service's limit per request; here only against the largest side.
    resolveRequest(entry, '', probe, { sizeLimitMegapixels: (MAX_DIMENSION + 1) ** 2 / 1e6 });
  } catch (e) {
    throw new CliError(isImgfloError(e) ? `${e.message}${e.extra.unknown ? ` (${String(e.extra.unknown)})` : ''}` : String(e));
  }
  return { graph: entry.name, preset: r.output };
}

export async function runApps(registry: AppRegistry, cmd: AppsCommand, now = () => new Date(), catalogue?: () => Promise<Catalogue>): Promise<unknown> {
  const stamp = () => now().toISOString();
  const save = async (app: AppRecord) => {
    const updated = { ...app, updatedAt: stamp() };
    await registry.put(updated);
    return updated;
  };
  switch (cmd.action) {
    case 'add': {
      const app: AppRecord = {
        key: newKey(),
        secrets: [newSecret()],
        label: cmd.label ?? '',
        owner: cmd.owner ?? '',
        enabled: true,
        admin: cmd.admin ?? false,
        processingQuota: cmd.quota === undefined ? null : quotaOf(cmd.quota),
        fallback: cmd.fallback === undefined ? null : fallbackOf(cmd.fallback),
        presets: {},
        createdAt: stamp(),
        updatedAt: stamp(),
      };
      await registry.put(app);
      return { ...publicView(app), secret: app.secrets[0], note: 'the secret is shown only now' };
    }
    case 'list':
      return (await registry.list()).map(publicView);
    case 'show':
      return publicView(await existing(registry, cmd.key));
    case 'disable':
    case 'enable':
      return publicView(await save({ ...(await existing(registry, cmd.key)), enabled: cmd.action === 'enable' }));
    case 'rotate': {
      const app = await existing(registry, cmd.key);
      const secret = newSecret();
      const updated = await save({ ...app, secrets: [...app.secrets, secret] });
      return { ...publicView(updated), secret, note: 'old secrets stay valid until retire-secret' };
    }
    case 'retire-secret': {
      const app = await existing(registry, cmd.key);
      if (app.secrets.length < 2) throw new CliError('the app has one secret only; rotate first');
      return publicView(await save({ ...app, secrets: app.secrets.slice(-1) }));
    }
    case 'set-quota': {
      if (cmd.quota === undefined) throw new CliError('--quota is needed (a number or "unlimited")');
      return publicView(await save({ ...(await existing(registry, cmd.key)), processingQuota: quotaOf(cmd.quota) }));
    }
    case 'set-fallback': {
      if (cmd.fallback === undefined) throw new CliError('--fallback is needed (files/<name>, an http(s) URL, or "none")');
      return publicView(await save({ ...(await existing(registry, cmd.key)), fallback: fallbackOf(cmd.fallback) }));
    }
    case 'set-preset': {
      if (!cmd.name || !PRESET_NAME.test(cmd.name)) throw new CliError('--name is needed: letters, digits, _ and -, at most 64');
      if (!catalogue) throw new CliError('no graph catalogue to check the preset against');
      const { graph, preset } = presetOf(cmd, await catalogue());
      const app = await existing(registry, cmd.key);
      return publicView(await save({ ...app, presets: { ...app.presets, [graph]: { ...app.presets[graph], [cmd.name]: preset } } }));
    }
    case 'remove-preset': {
      const app = await existing(registry, cmd.key);
      const { [cmd.name ?? '']: gone, ...rest } = app.presets[cmd.graph ?? ''] ?? {};
      if (!gone) throw new CliError(`the app has no preset ${cmd.name ?? ''} for ${cmd.graph ?? '(no --graph)'}`);
      return publicView(await save({ ...app, presets: { ...app.presets, [cmd.graph!]: rest } }));
    }
    default:
      throw new CliError(`unknown apps command: ${cmd.action}`);
  }
}
