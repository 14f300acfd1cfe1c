/**
 * Delayed work (BullMQ in production: src/jobs/). A job only names the request; its processor
 * re-reads the state and does nothing when the job no longer applies, so scheduling twice, a
 * stale job after an extension, or a job that runs after a restart are all harmless.
 */
/** The delayed jobs there are, one queue each. */
export type JobKind = 'expire' | 'warn' | 'timeout' | 'escalate' | 'review';

export interface Scheduler {
  /** Revoke the grant at `at` (its notAfter). */
  expireAt(requestId: string, at: number): Promise<void>;
  /** Send the expiry warning at `at`. */
  warnAt(requestId: string, at: number): Promise<void>;
  /** Time the pending request out at `at`. */
  timeoutAt(requestId: string, at: number): Promise<void>;
  /** Escalate the pending request at `at` (remind, widen to the escalation approvers). */
  escalateAt(requestId: string, at: number): Promise<void>;
  /** Remove the pending-phase jobs (timeout, escalation) of a request that left pending. */
  cancelPending(requestId: string): Promise<void>;
  /**
   * Removes the expiry or warning job scheduled for `at` (after an extension moved the grant's
   * end, so one revocation job per grant stays). A job that is running already cannot be removed;
   * it finds nothing due and does nothing.
   */
  cancelAt(kind: 'expire' | 'warn', requestId: string, at: number): Promise<void>;
  /**
   * Try the grant of an approved request again at `at`, while it waits for an unreachable broker:
   * try `slot` of the wait that began at `since` (domain/grant-retry.ts). The job is named by the
   * request, the wait and the slot, so every replica and the recovery sweep scheduling the same
   * try add one job.
   */
  grantRetryAt(
    requestId: string,
    retry: { readonly since: number; readonly slot: number; readonly at: number },
  ): Promise<void>;
  /** Check the breakglass review at `at`: remind and escalate while it is overdue. */
  reviewAt(requestId: string, at: number): Promise<void>;
}
