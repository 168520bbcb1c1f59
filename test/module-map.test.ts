/**
 * The module map of docs/architecture.md, held: each folder imports only what the map allows.
 * The import lines are read as text (static imports, side-effect imports and `import(...)` of relative paths).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(join(ROOT, path)).isDirectory()) return sources(path);
    return /\.(ts|mjs)$/.test(name) && !/\.test\.ts$|\.generated\.ts$/.test(name) && !/^shared\/contracts\//.test(path) ? [path] : [];
  });
}

/** The files of this repository a source imports, relative to the root. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specs = [...text.matchAll(/(?:^import|^export)[^'"]*?from\s+'(\.[^']+)'|^import\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/gm)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return specs.map((s) => relative(ROOT, resolve(ROOT, dirname(file), s)));
}

/** What each folder may import, most specific first. */
const RULES: Array<{ from: RegExp; may: RegExp[] }> = [
  { from: /^shared\//, may: [/^shared\//] },
  { from: /^page\//, may: [/^shared\//, /^page\//] },
  { from: /^edge\//, may: [/^shared\//, /^edge\//, /^page\/html\.ts$/] },
  { from: /^worker\/runtime\/child\.ts$/, may: [/^shared\//, /^worker\/runtime\//, /^worker\/runtimes\/index\.ts$/] },
  { from: /^worker\/runtime\//, may: [/^shared\//, /^worker\/runtime\//] },
  { from: /^worker\/runtimes\//, may: [/^shared\//, /^worker\/runtime\//, /^worker\/runtimes\//, /^worker\/video\//] },
  { from: /^worker\/cli\//, may: [/^shared\//, /^worker\//, /^edge\/upstash-index\.ts$/, /^edge\/rate-limit\.ts$/] },
  { from: /^worker\//, may: [/^shared\//, /^worker\//] },
];

describe('the module map', () => {
  const files = ['shared', 'edge', 'page', 'worker'].flatMap(sources);

  it('finds the sources it holds to', () => {
    expect(files.length).toBeGreaterThan(100);
    expect(importsOf('worker/runtime/child.ts')).toContain('worker/runtimes/index.ts');
  });

  it('has each folder import only what the map allows', () => {
    const crossings = files.flatMap((file) => {
      const rule = RULES.find((r) => r.from.test(file))!;
      return importsOf(file)
        .filter((target) => !rule.may.some((m) => m.test(target)))
        .map((target) => `${file} → ${target}`);
    });
    expect(crossings).toEqual([]);
  });

  it('has no runtime branch outside the runtimes’ tables', () => {
    const branches = files.filter((f) => !/\/runtimes\//.test(f)).filter((f) => /\bruntime\s*[!=]==\s*'/.test(readFileSync(join(ROOT, f), 'utf8')));
    expect(branches).toEqual([]);
  });
});
