/**
 * Every `curl` of the README and docs/, run as written against the service (auth off; a signed
 * example, or a table row marked "with auth on", against one with the docs' own key), each
 * checked against the status its doc shows: in its comment (`# 301 …`, `# 200: …`), on the next
 * line (`# HTTP/1.1 449 …`), as a JSON body (200), or in its table row's status column.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../scripts/stack.ts';
import { startTestStack } from './helpers/stack.ts';

const run = promisify(execFile);
const ROOT = new URL('../', import.meta.url).pathname;
const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];

interface Example {
  where: string;
  /** The shell lines before it in its block (variables it uses). */
  prelude: string[];
  command: string;
  status: number;
  auth: boolean;
  /** A HEAD that follows a pre-warm: asked again until it answers. */
  eventually: boolean;
}

/** The status a doc shows for a curl: its comment, the next line's, or a JSON body's 200. */
function statusShown(comment: string, next: string | undefined): number | null {
  const own = /^#\s*(\d{3})\b/.exec(comment)?.[1] ?? (comment ? undefined : /^#\s*(?:HTTP\/[\d.]+ )?(\d{3})\b/.exec(next ?? '')?.[1]);
  if (own) return Number(own);
  if (/^#\s*[{[]/.test(comment) || (!comment && /^#\s*[{[]/.test(next ?? ''))) return 200;
  return null;
}

function examples(): Example[] {
  const found: Example[] = [];
  for (const doc of DOCS) {
    const text = readFileSync(join(ROOT, doc), 'utf8');
    for (const block of text.matchAll(/```sh\n([\s\S]*?)```/g)) {
      const lines = block[1]!.split('\n');
      lines.forEach((line, i) => {
        if (!line.startsWith('curl ')) return;
        const [command, comment = ''] = line.split(/\s+(?=#)/, 2) as [string, string?];
        const status = statusShown(comment, lines[i + 1]);
        const prelude = lines.slice(0, i).filter((l) => /^[A-Z][A-Z0-9_]*=/.test(l));
        found.push({ where: `${doc}: ${line.slice(0, 90)}`, prelude, command: command.split(' | ')[0]!, status: status ?? 0, auth: /\$KEY\b/.test(command), eventually: /once done/.test(comment) });
      });
    }
    for (const row of text.matchAll(/^\| (\d{3}) \|.*`(curl [^`]+)`(.*)\|$/gm)) {
      found.push({ where: `${doc}: the ${row[1]} row`, prelude: [], command: row[2]!, status: Number(row[1]), auth: /with auth on/.test(row[3]!), eventually: false });
    }
  }
  return found;
}

/** The status the command gets, run by sh as written (its output replaced by the status). */
async function statusOf(e: Example, edge: string): Promise<number> {
  // The docs' own E= (npm start's address) gives way to this stack's.
  const script = [...e.prelude, `E=${edge}`, `${e.command.replaceAll('http://127.0.0.1:8787', edge)} -s -o /dev/null -w '%{http_code}'`].join('\n');
  const { stdout } = await run('sh', ['-c', script], { timeout: 60_000 }).catch((x: { stdout: string }) => x);
  return Number(stdout.trim());
}

const KEY = 'ooShei0queigeeke';
const SECRET = 'reeva9aijo1Ooj9w';

describe("the docs' curl examples", () => {
  const all = examples();
  let open: Stack;
  let signed: Stack;
  beforeAll(async () => {
    [open, signed] = await Promise.all([startTestStack(), startTestStack({ IMGFLO_API_KEY: KEY, IMGFLO_API_SECRET: SECRET })]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([open?.stop(), signed?.stop()]);
  });

  it('shows a status for each of them, and there are many', () => {
    expect(all.length).toBeGreaterThan(25);
    expect(all.filter((e) => e.status === 0).map((e) => e.where)).toEqual([]);
  });

  it('answers each as its doc says, in the order the docs give them', async () => {
    const wrong: string[] = [];
    for (const e of all) {
      const edge = (e.auth ? signed : open).edgeUrl;
      let status = await statusOf(e, edge);
      for (let i = 0; e.eventually && status !== e.status && i < 60; i++) {
        await new Promise((r) => setTimeout(r, 500));
        status = await statusOf(e, edge);
      }
      if (status !== e.status) wrong.push(`${e.where}: ${status}, the doc says ${e.status}`);
    }
    expect(wrong).toEqual([]);
  }, 300_000);
});
