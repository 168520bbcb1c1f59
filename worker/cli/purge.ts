/**
 * `imgflo purge --graph NAME | --input URL`: asks a backend that holds the store (the all-in-one
 * backend, or any worker) to purge through the index and store it is configured with — local
 * disk, S3 or R2 alike, wherever the command runs.
 */
import type { PurgeRequest, PurgeResult } from '../purge.ts';
import { CliError } from './output.ts';

export async function purgeThrough(backend: string, token: string, request: PurgeRequest): Promise<PurgeResult> {
  const url = `${backend.replace(/\/+$/, '')}/admin/purge`;
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(request),
      signal: AbortSignal.timeout(120_000),
    });
  } catch (e) {
    throw new CliError(`cannot reach the backend at ${backend}: ${(e as Error).cause ? String((e as { cause: unknown }).cause) : (e as Error).message}`);
  }
  if (res.status === 401) throw new CliError(`the backend at ${backend} refused the token: give its IMGFLO_BRIDGE_TOKEN`);
  const body = (await res.json().catch(() => null)) as (PurgeResult & { reason?: string; error?: string }) | null;
  if (res.status === 404 && body?.reason === 'unknown-graph') {
    const hint = /\(did you mean [^)]+\)/.exec(body.error ?? '')?.[0];
    throw new CliError(`no graph is named ${request.graph}${hint ? ` ${hint}` : ''}, and no results of one by that name are recorded`);
  }
  if (res.status === 404) throw new CliError(`${backend} does not purge: point --backend at a backend that holds the store (role all or worker)`);
  if (!res.ok || !body) throw new CliError(`purge failed: ${res.status} ${body?.reason ?? ''}: ${body?.error ?? res.statusText}`);
  return body;
}
