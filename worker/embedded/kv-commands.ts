/** Redis commands over the in-memory store, as the embedded Upstash endpoint receives them. */
import type { MemoryKv, SetOptions } from '../../shared/memory/kv.ts';

export type CommandResult = string | number | null | CommandResult[];

export class CommandError extends Error {}

const str = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));

export function runCommand(kv: MemoryKv, command: readonly unknown[]): CommandResult {
  const [rawName, ...rawArgs] = command;
  const name = String(rawName ?? '').toLowerCase();
  const args = rawArgs.map(str);
  const arity = (n: number) => {
    if (args.length < n) throw new CommandError(`ERR wrong number of arguments for '${name}' command`);
  };
  switch (name) {
    case 'ping':
      return args[0] ?? 'PONG';
    case 'get':
      arity(1);
      return kv.get(args[0]!);
    case 'mget':
      arity(1);
      return args.map((k) => kv.get(k));
    case 'set': {
      arity(2);
      const options: SetOptions = {};
      for (let i = 2; i < args.length; i++) {
        const opt = args[i]!.toLowerCase();
        if (opt === 'nx') options.nx = true;
        else if (opt === 'xx') options.xx = true;
        else if (opt === 'ex' || opt === 'px') {
          const n = Number(args[++i]);
          if (!Number.isInteger(n) || n <= 0) throw new CommandError('ERR invalid expire time in set');
          options[opt] = n;
        } else throw new CommandError('ERR syntax error');
      }
      return kv.set(args[0]!, args[1]!, options);
    }
    case 'del':
      arity(1);
      for (const k of args) kv.delSet(k);
      return kv.del(...args);
    case 'sadd':
      arity(2);
      return kv.sadd(args[0]!, ...args.slice(1));
    case 'smembers':
      arity(1);
      return kv.smembers(args[0]!);
    case 'exists':
      arity(1);
      return kv.exists(...args);
    case 'ttl':
      arity(1);
      return kv.ttl(args[0]!);
    case 'expire':
      arity(2);
      return kv.expire(args[0]!, Number(args[1]));
    case 'pexpire':
      arity(2);
      return kv.pexpire(args[0]!, Number(args[1])) ? 1 : 0;
    case 'incr':
      arity(1);
      return kv.incrby(args[0]!, 1);
    case 'incrby':
      arity(2);
      return kv.incrby(args[0]!, Number(args[1]));
    default:
      throw new CommandError(`ERR unknown command '${name}'`);
  }
}
