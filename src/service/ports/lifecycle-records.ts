import type { PolicySummary } from '../../domain/policy-change.js';
import type { Retirement } from '../../domain/workflow.js';
import type { AuditEntry, CommittedAudit } from './audit.js';

/**
 * What the lifecycle of the policy and of people leaves behind, shared by every replica (Redis in
 * production: src/store/). Each write lands with its audit record atomically and at most once, so
 * replicas that all reload, or all see a person leave, write one record between them.
 */
export interface LifecycleRecords {
  /** The policy last recorded in force, or undefined before the first start that recorded one. */
  policyInForce(): Promise<PolicySummary | undefined>;
  /**
   * Records `next` as the policy in force with its `policy_changed` record, if the one in force is
   * still `expectedHash` (undefined: none yet). Returns undefined when another replica recorded
   * a policy first: read it again and compare anew.
   */
  recordPolicy(
    next: PolicySummary,
    expectedHash: string | undefined,
    audit: AuditEntry,
  ): Promise<CommittedAudit | undefined>;
  /** Every retirement recorded (a target that came back has had its retirement forgotten). */
  retirements(): Promise<ReadonlyMap<string, Retirement>>;
  /** Records the retirement with its `target_retired` record, once; undefined when recorded already. */
  recordRetirement(retirement: Retirement, audit: AuditEntry): Promise<CommittedAudit | undefined>;
  /** Forgets a retirement: the target takes requests again (its return is in `policy_changed`). */
  forgetRetirement(target: string): Promise<void>;
  /**
   * Deletes the person's registered SSH key and appends their `offboarded` record, once per
   * person; undefined when they were offboarded already (another replica, an earlier check).
   */
  offboard(userId: string, audit: AuditEntry): Promise<CommittedAudit | undefined>;
}
