/*
 * The audit trail: one hash-chained record per decision and effect, appended by the store
 * together with the state change it describes. A transition says what its record is.
 */
export const AUDIT_TYPES = [
  'requested',
  'approved',
  'denied',
  'cancelled',
  'auto_approved',
  'breakglass',
  'granted',
  'grant_failed',
  'warned',
  'extension_requested',
  'extension_approved',
  'extension_denied',
  'extended',
  'revoked',
  'expired',
  'timed_out',
  'escalated',
  'reconciled',
  'review_done',
  'key_registered',
  'policy_changed',
  'target_retired',
  'offboarded',
  'grant_waiting',
  'grant_retried',
  'retention_checkpoint',
  'message_failed',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

/** What a decision says about a change; the store adds seq, at, prev and hash. */
export interface AuditEntry {
  readonly type: AuditType;
  readonly requestId: string | null;
  readonly grantId?: string;
  /** Slack user ID, or SYSTEM_ACTOR for what the bot did by itself. */
  readonly actor: string;
  readonly target: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

/** Who the audit trail names when the bot acted by itself (expiry, timeout, reconciliation). */
export const SYSTEM_ACTOR = 'jumpgate';
