/**
 * The end-to-end projects' global setup: the backend bundled once (`npm run build:backend`, as
 * the image runs it), and every stack a test starts runs its backend processes from it
 * (scripts/stack.ts): the production shape, and no TypeScript compiled again by each process.
 */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  // Once for every project that has this setup.
  if (process.env.IMGFLO_STACK_BUNDLE === '1') return;
  execFileSync('npm', ['run', '--silent', 'build:backend'], { cwd: new URL('../../', import.meta.url).pathname, stdio: 'inherit' });
  process.env.IMGFLO_STACK_BUNDLE = '1';
}
