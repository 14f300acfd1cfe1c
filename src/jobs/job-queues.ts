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
  /** The next grant try of an approved request waiting for an unreachable broker. */
  grant: 'grant',
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
  /** One per try of one wait: a Retry after a failure starts a new wait (a new `since`). */
  grant: (requestId: string, since: number, slot: number) => `grant-${requestId}-${since}-${slot}`,
};

/**
 * A revocation while the broker is down is tried again 1, 2 and 4 s later, then every 5 s
 * (`revocationBackoff`, BullMQ's custom backoff), for a little over an hour, so it lands within
 * ~5 s of the broker's return. The last failure is reported to a person; the certificate still
 * expires at its notAfter, and reconciliation keeps revoking it later.
 */
export const REVOCATION_BACKOFF = 'revocation';
/** The longest wait between two revocation tries. */
export const REVOCATION_MAX_GAP_MS = 5_000;

/** Delay before revocation try `attemptsMade + 1` (BullMQ counts the tries made so far from 1). */
export function revocationBackoff(attemptsMade: number): number {
  return Math.min(REVOCATION_MAX_GAP_MS, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
}

/** Other jobs retry with plain exponential backoff: their failures are not outage-critical. */
export const RETRIES = {
  expire: { attempts: 730, backoff: { type: REVOCATION_BACKOFF } },
  warn: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  timeout: { attempts: 5, backoff: { type: 'exponential', delay: 2_000 } },
  escalate: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  review: { attempts: 3, backoff: { type: 'exponential', delay: 2_000 } },
  /** A grant try does not throw for the broker (it waits instead); this covers Redis hiccups. */
  grant: { attempts: 3, backoff: { type: 'exponential', delay: 500 } },
} as const;

/**
 * Finished jobs are not history (the audit trail is): the workers keep the last few for
 * debugging, then drop them. Set on the workers, so no job carries it in its options.
 */
export const FINISHED_JOBS_KEPT = { removeOnComplete: { count: 100 }, removeOnFail: { count: 5000 } };
/** BullMQ's event stream per queue: nothing reads it, a short tail is kept for debugging. */
export const EVENTS_KEPT = 100;

export const RECONCILE_EVERY_MS = 60_000;
/** How often grants that end with their incident look at it. */
export const INCIDENT_WATCH_EVERY_MS = 30_000;
