/**
 * An Upstash-REST-compatible endpoint (reference/environment.md §6), so the edge talks to the
 * embedded index with @upstash/redis exactly as it talks to Upstash in production: single
 * commands, /pipeline, /multi-exec, bearer auth and the client's base64 response encoding.
 */
import { Hono, type Context } from 'hono';
import { constantTimeEqual } from '../../shared/tokens.ts';
import type { CommandResult } from './kv-commands.ts';

export type CommandRunner = (command: readonly unknown[]) => CommandResult | Promise<CommandResult>;

function encodeResult(v: CommandResult): CommandResult {
  if (typeof v === 'string') return v === 'OK' ? v : Buffer.from(v, 'utf8').toString('base64');
  if (Array.isArray(v)) return v.map(encodeResult);
  return v;
}

export function createUpstashEndpoint(token: string, run: CommandRunner): Hono {
  const app = new Hono();

  const authorized = (c: Context) => {
    const header = c.req.header('authorization') ?? '';
    return header.startsWith('Bearer ') && constantTimeEqual(header.slice(7), token);
  };

  const execute = async (c: Context, command: unknown) => {
    const base64 = (c.req.header('upstash-encoding') ?? '').toLowerCase() === 'base64';
    if (!Array.isArray(command) || command.length === 0) return { error: 'ERR malformed command' };
    try {
      const result = await run(command);
      return { result: base64 ? encodeResult(result) : result };
    } catch (e) {
      return { error: (e as Error).message };
    }
  };

  app.use('*', async (c, next) => {
    if (!authorized(c)) return c.json({ error: 'Unauthorized' }, 401);
    await next();
  });

  app.post('/', async (c) => {
    const body = await c.req.json().catch(() => null);
    const reply = await execute(c, body);
    return c.json(reply, 'error' in reply ? 400 : 200);
  });

  const batch = async (c: Context) => {
    const body = await c.req.json().catch(() => null);
    if (!Array.isArray(body)) return c.json({ error: 'ERR malformed pipeline' }, 400);
    const replies = [];
    for (const command of body) replies.push(await execute(c, command));
    return c.json(replies);
  };
  app.post('/pipeline', batch);
  app.post('/multi-exec', batch);
  return app;
}
