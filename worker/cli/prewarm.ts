/**
 * `imgflo prewarm <file|->`: POSTs every processing URL of a list with bounded concurrency, then
 * follows each accepted one (HEAD, backing off) until it is ready (301/302, or 200 for /info) or fails, within --wait
 * seconds; a POST refused for a full queue (503, Retry-After) is sent again after the wait asked. Failures name the URL and the service's reason, on stderr; a progress bar on a
 * terminal, a line per URL otherwise; exit 1 when any failed. With `revalidate`, a URL already
 * cached has its sources checked (X-Imgflo-Revalidate: 1): queued, it counts as done.
 */
import { readFile } from 'node:fs/promises';
import { text } from 'node:stream/consumers';
import cliProgress from 'cli-progress';
import { CliError } from './output.ts';

export interface PrewarmOptions {
  urls: readonly string[];
  concurrency: number;
  waitSeconds: number;
  /** Ask for cached results to have their sources checked (a changed one is processed again). */
  revalidate: boolean;
  /** A progress bar (on stderr) instead of a line per URL. */
  tty: boolean;
  quiet: boolean;
  out: (line: string) => void;
  err: (line: string) => void;
}

export interface Outcome {
  url: string;
  ok: boolean;
  /** The last HTTP status seen; 0 when the service did not answer. */
  status: number;
  reason?: string;
  error?: string;
}

/** The URLs of a list file (or stdin): one per line, # comments, paths relative to `server`. */
export async function readList(source: string, server: string): Promise<string[]> {
  let body: string;
  try {
    body = source === '-' ? await text(process.stdin) : await readFile(source, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read the list ${source}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return body
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((u) => (/^https?:\/\//.test(u) ? u : `${server.replace(/\/+$/, '')}/${u.replace(/^\/+/, '')}`));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function failure(res: Response, url: string): Promise<Outcome> {
  const body = (await res.json().catch(() => ({}))) as { reason?: string; error?: string };
  return { url, ok: false, status: res.status, reason: body.reason ?? 'error', error: body.error ?? res.statusText };
}

/** A stored result: the redirect to it, or /info's JSON itself. */
const ready = (status: number) => status === 301 || status === 302 || status === 200;

/** POST, then HEAD until ready, an error (with its body from a GET), or the deadline. */
async function warm(url: string, waitMs: number, revalidate: boolean): Promise<Outcome> {
  const deadline = Date.now() + waitMs;
  const post = () => fetch(url, { method: 'POST', redirect: 'manual', headers: revalidate ? { 'x-imgflo-revalidate': '1' } : {}, signal: AbortSignal.timeout(60_000) });
  try {
    let posted = await post();
    // A full background queue (503 with Retry-After): wait as told, then ask again.
    while (posted.status === 503 && posted.headers.has('retry-after') && Date.now() < deadline) {
      await posted.body?.cancel();
      await sleep(Math.min(Math.max(1, Number(posted.headers.get('retry-after')) || 1) * 1000, Math.max(0, deadline - Date.now())));
      posted = await post();
    }
    if (ready(posted.status)) {
      await posted.body?.cancel();
      return { url, ok: true, status: posted.status };
    }
    if (posted.status !== 202) return failure(posted, url);
    // A cached result whose sources are being checked: it stays in use meanwhile.
    if (((await posted.json().catch(() => ({}))) as { revalidating?: boolean }).revalidating) return { url, ok: true, status: 202 };
    for (let delay = 250; Date.now() < deadline; delay = Math.min(delay * 2, 2000)) {
      await sleep(Math.min(delay, Math.max(0, deadline - Date.now())));
      const head = await fetch(url, { method: 'HEAD', redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      if (ready(head.status)) return { url, ok: true, status: head.status };
      if (head.status === 404) continue;
      // The job failed: its reason is in the body, which HEAD has none of; GET answers it from
      // the failure the service remembers.
      const got = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(60_000) });
      if (ready(got.status)) {
        await got.body?.cancel();
        return { url, ok: true, status: got.status };
      }
      return failure(got, url);
    }
    return { url, ok: false, status: 404, reason: 'not-ready', error: `no result after ${Math.round(waitMs / 1000)} s` };
  } catch (e) {
    return { url, ok: false, status: 0, reason: 'unreachable', error: (e as Error).message };
  }
}

export async function prewarm(o: PrewarmOptions): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const started = Date.now();
  const bar = o.tty
    ? new cliProgress.SingleBar({ format: 'prewarm [{bar}] {value}/{total} | {rate}/s | ETA {eta_formatted} | failed {failed}', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
    : null;
  bar?.start(o.urls.length, 0, { rate: '0.0', failed: 0 });
  let next = 0;
  const worker = async () => {
    while (next < o.urls.length) {
      const url = o.urls[next++]!;
      const outcome = await warm(url, o.waitSeconds * 1000, o.revalidate);
      outcomes.push(outcome);
      const failed = outcomes.filter((r) => !r.ok).length;
      // Under a progress bar, the failures are listed once it is done.
      if (!outcome.ok && !bar) o.err(failureLine(outcome));
      if (bar) bar.update(outcomes.length, { rate: (outcomes.length / Math.max(0.001, (Date.now() - started) / 1000)).toFixed(1), failed });
      else if (!o.quiet && outcome.ok) o.out(`[${outcomes.length}/${o.urls.length}] ready ${url}`);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, o.urls.length)) }, worker));
  if (bar) {
    bar.stop();
    for (const r of outcomes) if (!r.ok) o.err(failureLine(r));
  }
  return outcomes;
}

const failureLine = (r: Outcome) => `failed: ${r.url}: ${r.status || 'no answer'} ${r.reason}: ${r.error}`;

export function summary(outcomes: readonly Outcome[], seconds: number): string {
  const failed = outcomes.filter((r) => !r.ok).length;
  return `${outcomes.length} URLs in ${seconds.toFixed(1)} s: ${outcomes.length - failed} ready, ${failed} failed`;
}
