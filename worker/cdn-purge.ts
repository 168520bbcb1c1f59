/**
 * Purging a CDN's copies by tag: Cloudflare's purge API (POST /zones/<zone>/purge_cache with
 * `{"tags": [...]}`), asked after every purge when a zone and an API token are configured. The
 * token goes in the Authorization header only: never into a log line or an answer.
 */
export interface CdnSettings {
  zoneId: string;
  apiToken: string;
  /** Cloudflare's API, or a stand-in for tests. */
  apiUrl: string;
}

export type CdnPurged = { purged: true; tags: string[] } | { purged: false; tags: string[]; error: string };

/** At most this many tags a call (Cloudflare's limit). */
const TAGS_PER_CALL = 100;

export async function purgeCdnTags(cdn: CdnSettings, tags: string[]): Promise<CdnPurged> {
  const url = `${cdn.apiUrl.replace(/\/+$/, '')}/zones/${encodeURIComponent(cdn.zoneId)}/purge_cache`;
  try {
    for (let i = 0; i < tags.length; i += TAGS_PER_CALL) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { authorization: `Bearer ${cdn.apiToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ tags: tags.slice(i, i + TAGS_PER_CALL) }),
        signal: AbortSignal.timeout(10_000),
      });
      const body = (await res.json().catch(() => null)) as { success?: boolean; errors?: Array<{ message?: string }> } | null;
      if (!res.ok || body?.success !== true) {
        return { purged: false, tags, error: `the CDN answered ${res.status}${body?.errors?.[0]?.message ? `: ${body.errors[0].message}` : ''}` };
      }
    }
    return { purged: true, tags };
  } catch (e) {
    return { purged: false, tags, error: `the CDN's API did not answer: ${(e as Error).message}` };
  }
}
