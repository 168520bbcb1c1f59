/**
 * `imgflo prewarm <file|->`: POSTs every processing URL of a list with bounded concurrency, so
 * the results are ready before anyone asks. A progress bar with rate and ETA on a terminal,
 * plain lines otherwise; a summary of the statuses; exit 1 when any failed.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import cliProgress from 'cli-progress';

export const PREWARM_HELP = `usage: imgflo prewarm <file|-> [--concurrency N] [--server URL]

POSTs each URL of the file (one per line; # starts a comment; paths are taken relative to
--server or IMGFLO_API_SERVER). 202: queued, 301: already there. Exit 1 when any failed.`;

export interface PrewarmOptions {
  source: string;
  concurrency: number;
  server: string;
  tty: boolean;
  write: (line: string) => void;
}

async function readList(source: string): Promise<string[]> {
  const input = source === '-' ? process.stdin : createReadStream(source);
  const lines: string[] = [];
  for await (const line of createInterface({ input, crlfDelay: Infinity })) {
    const l = line.trim();
    if (l && !l.startsWith('#')) lines.push(l);
  }
  return lines;
}

export async function prewarm(o: PrewarmOptions): Promise<{ total: number; failed: number; statuses: Record<string, number> }> {
  const urls = (await readList(o.source)).map((u) => (/^https?:\/\//.test(u) ? u : `${o.server.replace(/\/+$/, '')}/${u.replace(/^\/+/, '')}`));
  const statuses: Record<string, number> = {};
  let failed = 0;
  let done = 0;
  const bar = o.tty
    ? new cliProgress.SingleBar({ format: 'prewarm [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed}', hideCursor: true }, cliProgress.Presets.shades_classic)
    : null;
  const started = Date.now();
  bar?.start(urls.length, 0, { rate: '0.0', failed: 0 });
  let next = 0;
  const worker = async () => {
    while (next < urls.length) {
      const url = urls[next++]!;
      let status = 'error';
      try {
        const res = await fetch(url, { method: 'POST', redirect: 'manual', signal: AbortSignal.timeout(60_000) });
        await res.body?.cancel();
        status = String(res.status);
      } catch {}
      statuses[status] = (statuses[status] ?? 0) + 1;
      const ok = status === '202' || status === '301' || status === '302';
      if (!ok) failed++;
      done++;
      const rate = (done / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1);
      if (bar) bar.update(done, { rate, failed });
      else o.write(`[${done}/${urls.length}] ${status} ${url}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, urls.length)) }, worker));
  bar?.stop();
  const summary = Object.entries(statuses)
    .sort()
    .map(([s, n]) => `${s} ×${n}`)
    .join(', ');
  o.write(`${urls.length} URLs in ${((Date.now() - started) / 1000).toFixed(1)} s: ${summary || 'none'}; ${failed} failed`);
  return { total: urls.length, failed, statuses };
}
