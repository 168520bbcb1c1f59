/**
 * `imgflo apps ...`: manages client applications in the app registry (Redis). Keys and
 * secrets come from a CSPRNG (128 and 192 bits); a secret is shown once, when it is made.
 */
import { randomBytes } from 'node:crypto';
import type { AppRecord } from '../../shared/apps.ts';
import { isImgfloError } from '../../shared/errors.ts';
import { resolveFallback } from '../../shared/request.ts';
import type { AppRegistry } from '../../shared/ports.ts';
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
}

export async function runApps(registry: AppRegistry, cmd: AppsCommand, now = () => new Date()): Promise<unknown> {
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
    default:
      throw new CliError(`unknown apps command: ${cmd.action}`);
  }
}
