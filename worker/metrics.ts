/** Prometheus series of the backend (SPEC §8), one registry per process. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { QUEUE_NAMES, type QueueName } from '../shared/queues.ts';

export function createMetrics(queueDepth?: (queue: QueueName) => Promise<number>) {
  const registry = new Registry();
  // Node's own metrics under their usual names (process_cpu_user_seconds_total, nodejs_…), as
  // stock dashboards expect them.
  collectDefaultMetrics({ register: registry });
  const counter = <L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers: [registry] });
  return {
    registry,
    jobRequests: counter('imgflo_bridge_job_requests_total', 'Job requests received by the bridge, by urgency and final status', ['urgency', 'status', 'reason'] as const),
    jobsPublished: counter('imgflo_jobs_published_total', 'Jobs published, by urgency and queue', ['urgency', 'queue'] as const),
    shed: counter('imgflo_jobs_shed_total', 'Job requests refused with 503 because their queue held IMGFLO_MAX_URGENT_QUEUE, IMGFLO_MAX_BACKGROUND_QUEUE or IMGFLO_MAX_VIDEO_QUEUE jobs', ['queue'] as const),
    coalesced: counter('imgflo_coalesced_requests_total', 'Job requests that joined a job already in flight for the same cache key'),
    retries: counter('imgflo_job_retries_total', 'Jobs published again after a retryable failure'),
    refused: counter('imgflo_jobs_refused_total', 'Jobs a worker handed back: their graph has another digest here (a deploy in progress)'),
    jobsInFlight: new Gauge({
      name: 'imgflo_jobs_in_flight',
      help: 'Jobs a worker is processing now',
      registers: [registry],
    }),
    jobsProcessed: counter('imgflo_jobs_processed_total', 'Jobs finished by a worker, by graph and outcome (processed, cached, error)', ['graph', 'outcome'] as const),
    revalidations: counter('imgflo_revalidations_total', 'Stored results whose sources were checked again (IMGFLO_SOURCE_MAX_AGE), by outcome (unchanged, changed)', ['outcome'] as const),
    cacheLookups: counter('imgflo_cache_lookups_total', 'Index lookups by workers before processing (hit, miss, reindexed from storage); edge hits are in the edge log', ['result'] as const),
    queueDepth: new Gauge({
      name: 'imgflo_queue_depth',
      help: 'Jobs waiting in each queue',
      labelNames: ['queue'] as const,
      registers: [registry],
      async collect() {
        if (!queueDepth) return;
        for (const q of QUEUE_NAMES) this.set({ queue: q }, await queueDepth(q).catch(() => 0));
      },
    }),
    phaseSeconds: new Histogram({
      name: 'imgflo_job_phase_seconds',
      help: 'Time per job phase (queue, fetch, process, upload)',
      labelNames: ['phase'] as const,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
