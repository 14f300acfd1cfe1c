import type { AuditEntry } from './audit-entry.js';

/*
 * The access report of a target: who had access to it, when, approved by whom — read from the
 * audit trail alone, so it answers for any target, retired or not, whatever the store holds now.
 */

/** An audit record as the report reads it: the entry and when it was appended (ISO 8601). */
export type ReportRecord = AuditEntry & { readonly at: string };

export interface AccessRow {
  readonly requestId: string;
  readonly grantId: string;
  /** standard, breakglass or vendor. */
  readonly kind: string;
  /** Who held it: the requester (the sponsor, for a vendor session). */
  readonly holder: string;
  /** The vendor's email, for a vendor session. */
  readonly vendor?: string;
  readonly reason: string;
  readonly ticket?: string;
  readonly requestedAt: string;
  /** Who approved it (user IDs); `pagerduty` when auto-approved, `breakglass` when taken at once. */
  readonly approvedBy: readonly string[];
  readonly grantedAt: string;
  readonly notAfter?: string;
  /** expired or revoked; undefined while it is still active (as far as the trail says). */
  readonly ended?: string;
  readonly endedAt?: string;
  /** Who revoked it (a user ID, or `jumpgate`), and why when Jumpgate did. */
  readonly endedBy?: string;
  readonly endReason?: string;
  /** Breakglass: the review's outcome and reviewer. */
  readonly review?: string;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * One row per grant of `target` (requests that were never granted are left out), oldest first,
 * that was still held at or after `since` (epoch ms; undefined: all of them).
 */
export function accessRows(records: readonly ReportRecord[], target: string, since?: number): AccessRow[] {
  const byRequest = new Map<string, ReportRecord[]>();
  for (const record of records) {
    if (record.target !== target || record.requestId === null) continue;
    const list = byRequest.get(record.requestId) ?? [];
    list.push(record);
    byRequest.set(record.requestId, list);
  }
  const rows: AccessRow[] = [];
  for (const [requestId, list] of byRequest) {
    const granted = list.find((r) => r.type === 'granted');
    if (!granted) continue;
    const requested = list.find((r) => r.type === 'requested');
    const ended = list.find((r) => r.type === 'expired' || r.type === 'revoked');
    const review = list.find((r) => r.type === 'review_done');
    const approvedBy = list.flatMap((r) => {
      if (r.type === 'approved') return [r.actor];
      if (r.type === 'auto_approved') return ['pagerduty'];
      if (r.type === 'breakglass') return ['breakglass'];
      return [];
    });
    const notAfter = text(granted.detail.notAfter);
    const heldUntil = ended?.at ?? notAfter;
    if (since !== undefined && heldUntil !== undefined && Date.parse(heldUntil) < since && ended) continue;
    const vendor = text(requested?.detail.vendor) ?? text(requested?.detail.vendorEmail);
    const ticket = text(requested?.detail.ticket);
    const endReason = text(ended?.detail.reason);
    rows.push({
      requestId,
      grantId: granted.grantId ?? '',
      kind: text(requested?.detail.kind) ?? 'standard',
      holder: requested?.actor ?? '',
      ...(vendor ? { vendor } : {}),
      reason: text(requested?.detail.reason) ?? '',
      ...(ticket ? { ticket } : {}),
      requestedAt: requested?.at ?? '',
      approvedBy: [...new Set(approvedBy)],
      grantedAt: granted.at,
      ...(notAfter ? { notAfter } : {}),
      ...(ended ? { ended: ended.type, endedAt: ended.at, endedBy: ended.actor } : {}),
      ...(endReason ? { endReason } : {}),
      ...(review ? { review: `${text(review.detail.outcome) ?? 'reviewed'} by ${review.actor}` } : {}),
    });
  }
  return rows.sort((a, b) => (a.grantedAt < b.grantedAt ? -1 : a.grantedAt > b.grantedAt ? 1 : 0));
}

/** The columns of the csv and text formats, in order. */
export const ACCESS_COLUMNS = [
  'grantedAt',
  'holder',
  'vendor',
  'kind',
  'approvedBy',
  'reason',
  'ticket',
  'notAfter',
  'ended',
  'endedAt',
  'endedBy',
  'endReason',
  'review',
  'requestId',
  'grantId',
] as const;

/** A row's cell for a column, as text. */
export function cellOf(row: AccessRow, column: (typeof ACCESS_COLUMNS)[number]): string {
  const value = row[column];
  if (value === undefined) return column === 'ended' ? 'active' : '';
  return Array.isArray(value) ? value.join(' ') : String(value);
}
