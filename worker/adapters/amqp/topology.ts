/**
 * The RabbitMQ topology as data, asserted again on every (re)connect.
 *
 *   imgflo.jobs (direct) ──urgent────→ imgflo.jobs.urgent      ─┐ rejected (poison)
 *                        ├─background→ imgflo.jobs.background  ─┤
 *                        └─video─────→ imgflo.jobs.video       ─┴→ imgflo.dead (fanout) → imgflo.jobs.dead
 *   The routing key is the job's queue (shared/queues.ts). The video queue holds GETs' and
 *   pre-warms' jobs alike, so it has message priorities: a GET's job (priority 1) goes first.
 *   retries: published to imgflo.jobs.<queue>.retry with a per-message expiration; when it
 *   expires the message goes back to imgflo.jobs with its queue as routing key.
 *   imgflo.results (fanout) → one exclusive queue per bridge: every bridge hears every
 *   completion, which is what lets a bridge wait for a job another bridge published.
 */
import { QUEUE_NAMES, type QueueName } from '../../../shared/queues.ts';

export const JOBS_EXCHANGE = 'imgflo.jobs';
export const DEAD_EXCHANGE = 'imgflo.dead';
export const RESULTS_EXCHANGE = 'imgflo.results';
export const DEAD_QUEUE = 'imgflo.jobs.dead';

export const jobQueue = (q: QueueName) => `imgflo.jobs.${q}`;
export const retryQueue = (q: QueueName) => `imgflo.jobs.${q}.retry`;
export const resultsQueue = (instance: string) => `imgflo.results.${instance}`;

/**
 * Priorities only where a queue mixes urgencies: a queue's arguments cannot change once it
 * exists, and the image queues were declared without them.
 */
const PRIORITIES: Partial<Record<QueueName, number>> = { video: 1 };

export interface ExchangeSpec {
  name: string;
  type: 'direct' | 'fanout';
}

export interface QueueSpec {
  name: string;
  arguments: Record<string, string | number>;
  bind?: { exchange: string; key: string };
}

export const EXCHANGES: readonly ExchangeSpec[] = [
  { name: JOBS_EXCHANGE, type: 'direct' },
  { name: DEAD_EXCHANGE, type: 'fanout' },
  { name: RESULTS_EXCHANGE, type: 'fanout' },
];

export const QUEUES: readonly QueueSpec[] = [
  ...QUEUE_NAMES.map((q) => ({
    name: jobQueue(q),
    arguments: { 'x-dead-letter-exchange': DEAD_EXCHANGE, ...(PRIORITIES[q] !== undefined && { 'x-max-priority': PRIORITIES[q] }) },
    bind: { exchange: JOBS_EXCHANGE, key: q },
  })),
  ...QUEUE_NAMES.map((q) => ({
    name: retryQueue(q),
    arguments: { 'x-dead-letter-exchange': JOBS_EXCHANGE, 'x-dead-letter-routing-key': q },
  })),
  { name: DEAD_QUEUE, arguments: {}, bind: { exchange: DEAD_EXCHANGE, key: '' } },
];
