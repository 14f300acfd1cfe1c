import { z } from 'zod';

/**
 * One queue per kind of job, so each has one processor typed by its payload (no switch on the
 * job name). Queue keys live under JUMPGATE_PREFIX (BullMQ's `prefix`).
 */
export const QUEUES = {
  expire: 'expire',
  warn: 'warn',
  timeout: 'timeout',
  escalate: 'escalate',
  review: 'review',
  incidents: 'incidents',
  reconcile: 'reconcile',
  retention: 'retention',
} as const;
export type QueueName = keyof typeof QUEUES;

export const requestJobSchema = z.object({ requestId: z.string().regex(/^req_[a-z0-9]+$/) });
export type RequestJob = z.infer<typeof requestJobSchema>;

/**
 * Job ids derive from what they act on, so scheduling twice adds nothing. The expiry job carries
 * its time too: after an extension the new job is a new id, and the old one finds nothing due.
 * (BullMQ ids may not contain ':'.)
 */
export const jobId = {
  expire: (requestId: string, at: number) => `expire-${requestId}-${at}`,
  warn: (requestId: string, at: number) => `warn-${requestId}-${at}`,
  timeout: (requestId: string) => `timeout-${requestId}`,
  escalate: (requestId: string) => `escalate-${requestId}`,
  review: (requestId: string, at: number) => `review-${requestId}-${at}`,
};

/** Retries with exponential backoff: revocation makes 10 attempts over about 10 minutes (1 s doubling, plus the client's own retries). */
export const RETRIES = {
  expire: { attempts: 10, backoff: { type: 'exponential', delay: 1_000 } },
  warn: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  timeout: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 } },
  escalate: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  review: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
} as const;

export const RECONCILE_EVERY_MS = 60_000;
/** How often grants that end with their incident look at it. */
export const INCIDENT_WATCH_EVERY_MS = 30_000;
