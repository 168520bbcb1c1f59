/**
 * The RabbitMQ topology as data, asserted again on every (re)connect.
 *
 *   imgflo.jobs (direct) ──urgent────→ imgflo.jobs.urgent      ─┐ rejected (poison)
 *                        └─background→ imgflo.jobs.background  ─┴→ imgflo.dead (fanout) → imgflo.jobs.dead
 *   retries: published to imgflo.jobs.<urgency>.retry with a per-message expiration; when it
 *   expires the message goes back to imgflo.jobs with its urgency as routing key.
 *   imgflo.results (fanout) → one exclusive queue per bridge: every bridge hears every
 *   completion, which is what lets a bridge wait for a job another bridge published.
 */
import type { Urgency } from '../../../shared/job.ts';

export const JOBS_EXCHANGE = 'imgflo.jobs';
export const DEAD_EXCHANGE = 'imgflo.dead';
export const RESULTS_EXCHANGE = 'imgflo.results';
export const DEAD_QUEUE = 'imgflo.jobs.dead';

export const jobQueue = (u: Urgency) => `imgflo.jobs.${u}`;
export const retryQueue = (u: Urgency) => `imgflo.jobs.${u}.retry`;
export const resultsQueue = (instance: string) => `imgflo.results.${instance}`;

const URGENCIES: readonly Urgency[] = ['urgent', 'background'];

export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'fanout';
}

export interface QueueSpec {
  name: string;
  arguments: Record<string, string>;
  bind?: { exchange: string; key: string };
}

export const EXCHANGES: readonly ExchangeSpec[] = [
  { name: JOBS_EXCHANGE, type: 'direct' },
  { name: DEAD_EXCHANGE, type: 'fanout' },
  { name: RESULTS_EXCHANGE, type: 'fanout' },
];

export const QUEUES: readonly QueueSpec[] = [
  ...URGENCIES.map((u) => ({
    name: jobQueue(u),
    arguments: { 'x-dead-letter-exchange': DEAD_EXCHANGE },
    bind: { exchange: JOBS_EXCHANGE, key: u },
  })),
  ...URGENCIES.map((u) => ({
    name: retryQueue(u),
    arguments: { 'x-dead-letter-exchange': JOBS_EXCHANGE, 'x-dead-letter-routing-key': u },
  })),
  { name: DEAD_QUEUE, arguments: {}, bind: { exchange: DEAD_EXCHANGE, key: '' } },
];
