import { JumpgateError } from './errors.js';

/**
 * The life of an access request and the grant it becomes:
 *
 *   pending ─▶ approved ─▶ active ─▶ expired | revoked
 *      │           └─────▶ failed           (the broker refused or stayed down)
 *      │              ◀─────┘               (Retry: the broker stayed down, the approvals are fresh)
 *      └─▶ denied | cancelled | timed_out
 */
export const REQUEST_STATUSES = [
  'pending',
  'approved',
  'active',
  'expired',
  'revoked',
  'denied',
  'cancelled',
  'timed_out',
  'failed',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

const NEXT: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  pending: ['approved', 'denied', 'cancelled', 'timed_out'],
  approved: ['active', 'failed'],
  active: ['expired', 'revoked'],
  expired: [],
  revoked: [],
  denied: [],
  cancelled: [],
  timed_out: [],
  // Retry after the broker stayed down past grant_retry_window (domain/grant-retry.ts).
  failed: ['approved'],
};

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return NEXT[from].includes(to);
}

/** Throws `illegal_transition` unless `from → to` is an edge of the state machine. */
export function assertTransition(from: RequestStatus, to: RequestStatus): void {
  if (!canTransition(from, to)) {
    const allowed = NEXT[from];
    throw new JumpgateError(
      'illegal_transition',
      `a request that is ${from} cannot become ${to}` +
        (allowed.length > 0 ? ` (it can become ${allowed.join(', ')})` : ` (${from} is final)`),
      { details: { from, to } },
    );
  }
}

/** Statuses in which the person holds (or is about to hold) access. */
export function isLive(status: RequestStatus): boolean {
  return status === 'approved' || status === 'active';
}

/** Statuses a request never leaves (denied, timed_out, failed, cancelled, expired, revoked). */
export const FINAL_STATUSES: readonly RequestStatus[] = REQUEST_STATUSES.filter((status) => NEXT[status].length === 0);
