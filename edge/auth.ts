/**
 * Who may use a processing URL (SPEC §3.3). When auth is on, the URL must carry a key and a
 * token (v2 HMAC, or v1 MD5 unless refused) matching one of the app's secrets; every failure
 * is the same 403, so a client cannot learn which check failed.
 */
import { MAX_APP_KEY_LENGTH } from '../shared/apps.ts';
import { forbidden } from '../shared/errors.ts';
import type { ProcessingPath } from '../shared/url.ts';
import { tokenVersion, verifyToken } from '../shared/tokens.ts';
import type { App } from './config.ts';

export interface AuthSettings {
  authRequired: boolean;
  legacyTokens: boolean;
  findApp(key: string): Promise<App | null>;
}

/** The authenticated app; null when auth is off (anything is accepted and ignored). */
export async function authenticate(path: ProcessingPath, search: string, s: AuthSettings): Promise<App | null> {
  if (!s.authRequired) return null;
  if (!path.apikey || !path.token) throw forbidden();
  // Checked before any lookup: no app has a longer key, and the token must be of a known form.
  if (path.apikey.length > MAX_APP_KEY_LENGTH || tokenVersion(path.token) === null) throw forbidden();
  const app = await s.findApp(path.apikey);
  if (!app || !app.enabled) throw forbidden();
  const ok = await verifyToken(path.token, app.secrets, path.graphspec, search, { legacy: s.legacyTokens });
  if (!ok) throw forbidden();
  return app;
}
