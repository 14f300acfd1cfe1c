import type { AuditEntry } from '../../domain/audit-entry.js';

/** The audit trail's types live with the decisions that write it (domain/audit-entry.ts). */
export { AUDIT_TYPES, type AuditEntry, type AuditType } from '../../domain/audit-entry.js';

/**
 * An audit entry as committed together with its state change: its time and its place in the chain
 * (seq) are fixed. It is sealed into the chain (prev, hash) moments later, in the background.
 */
export interface CommittedAudit extends AuditEntry {
  readonly seq: number;
  /** ISO 8601. */
  readonly at: string;
}

export interface AuditRecord extends CommittedAudit {
  readonly prev: string;
  readonly hash: string;
}

export interface AuditReader {
  /** Records with seq in [from, to], oldest first. */
  range(from: number, to?: number): Promise<readonly AuditRecord[]>;
  /** The newest `count` records, oldest first. */
  tail(count: number): Promise<readonly AuditRecord[]>;
  /** Records about one request, oldest first. */
  forRequest(requestId: string): Promise<readonly AuditRecord[]>;
}
