/**
 * The job queues and which one a job goes to. Images go by urgency: a GET's job to `urgent`, a
 * pre-warm's to `background`, so a backlog of pre-warms never delays a page. Every video output
 * goes to `video` (the original's `imgflo_video.JOB`), whatever its urgency: a video job runs
 * minutes, not milliseconds, on workers of its own with a deadline of its own; within that queue
 * a GET's job is delivered before the pre-warms waiting there.
 */
import { isVideoType, type OutputType } from './formats.ts';
import type { Urgency } from './job.ts';

export const QUEUE_NAMES = ['urgent', 'background', 'video'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export function queueOf(job: { urgency: Urgency; outtype: OutputType | null }): QueueName {
  return isVideoType(job.outtype) ? 'video' : job.urgency;
}

/** Within a queue, urgent jobs first (the video queue holds both). */
export const priorityOf = (job: { urgency: Urgency }): number => (job.urgency === 'urgent' ? 1 : 0);
