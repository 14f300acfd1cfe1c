/**
 * The audit trail (DESIGN.md, "Audit trail"): one hash-chained record per decision and effect.
 * Records are appended by the Store together with the state change they describe.
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
  'extended',
  'revoked',
  'expired',
  'timed_out',
  'escalated',
  'reconciled',
  'review_done',
  'key_registered',
] as const;
export type AuditType = (typeof AUDIT_TYPES)[number];

/** What a use case says about a change; the store adds seq, at, prev and hash. */
export interface AuditEntry {
  readonly type: AuditType;
  readonly requestId: string | null;
  readonly grantId?: string;
  /** Slack user ID, or `jumpgate` for what the bot did by itself. */
  readonly actor: string;
  readonly target: string | null;
  readonly detail: Readonly<Record<string, unknown>>;
}

export interface AuditRecord extends AuditEntry {
  readonly seq: number;
  /** ISO 8601. */
  readonly at: string;
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
