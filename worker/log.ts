/** JSON log lines (pino); tokens in logged URLs are redacted. */
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({ level, base: { service: 'imgflo' } });
}

/** Replaces the token segment of a signed processing URL. */
export function redactUrl(url: string): string {
  return url.replace(/(\/graph\/[^/?]+\/)[^/?]+(\/)/, '$1[redacted]$2');
}
