/**
 * Liveness and readiness of a backend role (SPEC §11): `/health` answers while the process
 * does; `/ready` asks each dependency the role uses, each within a short timeout, and answers
 * 503 while any does not answer — so a probe takes a broken pod out, and puts it back.
 */
import { Hono } from 'hono';

/** Resolves when the dependency answers; rejects (or never settles) when it does not. */
export type Check = () => Promise<unknown>;

const CHECK_TIMEOUT_MS = 1000;

export async function readiness(checks: Readonly<Record<string, Check>>): Promise<{ ready: boolean; dependencies: Record<string, 'ok' | 'unavailable'> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('timeout')), CHECK_TIMEOUT_MS)));
      try {
        await Promise.race([check(), late]);
        return [name, 'ok'] as const;
      } catch {
        return [name, 'unavailable'] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const dependencies = Object.fromEntries(entries);
  return { ready: entries.every(([, state]) => state === 'ok'), dependencies };
}

export function healthRoutes(o: { role: string; checks: Readonly<Record<string, Check>>; live?: () => Record<string, unknown> }): Hono {
  const app = new Hono();
  app.get('/health', (c) => c.json({ ok: true, role: o.role, ...o.live?.() }));
  app.get('/ready', async (c) => {
    const r = await readiness(o.checks);
    return c.json({ ...r, role: o.role }, r.ready ? 200 : 503);
  });
  return app;
}
