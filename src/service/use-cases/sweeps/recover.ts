import type { ServiceDeps } from '../../deps.js';

export interface RecoverReport {
  /** Grants past their end whose revocation job did not run (a worker that died): revoked now. */
  readonly expired: number;
  /** Approved requests whose grant was interrupted (a process that died), or waited for the broker: granted now. */
  readonly granted: number;
  readonly failures: number;
}

/**
 * An approved request becomes active within a second or two; one approved for longer was
 * interrupted, and issuing it again is safe (the broker answers the same grant id with the same
 * certificate, and only one `approved → active` commit can land).
 */
export const STUCK_APPROVED_MS = 5_000;
/** How late a revocation job may be before the sweep revokes in its place. */
export const JOB_GRACE_MS = 5_000;
/** How often every replica looks (RECOVER_EVERY_MS, src/jobs/): two index reads when nothing is due. */
export const RECOVER_EVERY_MS = 5_000;

/** At most this many of each per pass; the next pass takes the rest. */
const RECOVER_BATCH = 2_000;

/**
 * The quick sweep that resumes what a process left half done when it died: approved requests
 * not granted yet, grants past their end not revoked yet. Read from the due-time indexes, so a
 * pass costs two index reads when nothing is due; every replica runs it at start and every few
 * seconds, and two replicas recovering the same request are harmless (each step is a
 * compare-and-set, and the broker calls are idempotent by grant id).
 */
export function createRecover(
  deps: Pick<ServiceDeps, 'store' | 'now' | 'logger'>,
  useCases: {
    expireGrant(requestId: string): Promise<unknown>;
    /** Issues an interrupted grant, or schedules the next try of one waiting for the broker (resume-grant.ts). */
    issueGrant(requestId: string): Promise<unknown>;
  },
) {
  return async function recover(): Promise<RecoverReport> {
    let failures = 0;
    const attempt = async (what: string, id: string, run: () => Promise<unknown>): Promise<boolean> => {
      try {
        return Boolean(await run());
      } catch (error) {
        failures += 1;
        deps.logger.warn({ err: error, requestId: id }, `recovery could not ${what}`);
        return false;
      }
    };
    const now = deps.now();
    let expired = 0;
    let granted = 0;
    // A grant a little past its end is its revocation job's; the sweep takes what a job missed.
    for (const id of await deps.store.dueIds('active', now - JOB_GRACE_MS, RECOVER_BATCH)) {
      if (await attempt('expire the grant', id, () => useCases.expireGrant(id))) expired += 1;
    }
    for (const id of await deps.store.dueIds('approved', now - STUCK_APPROVED_MS, RECOVER_BATCH)) {
      if (await attempt('issue the grant', id, () => useCases.issueGrant(id))) granted += 1;
    }
    const report = { expired, granted, failures };
    if (expired + granted + failures > 0) deps.logger.info({ ...report }, 'recovered interrupted work');
    return report;
  };
}
