import { type AccessRequest, grantIdFor } from './access-request.js';
import { type ApprovalInput, assertCanCancel, type DenialInput, decideApproval, decideDenial } from './approval.js';
import { SYSTEM_ACTOR } from './audit-entry.js';
import { grantWindow } from './grant-window.js';
import { auditOf, type RequestChange } from './request-change.js';
import { assertTransition } from './request-status.js';
import type { Target } from './workflow.js';

/*
 * The transitions of a pending request that a person or a job makes: approve, deny, cancel,
 * time out, escalate. Each takes the stored request and returns the change, or refuses.
 */

/**
 * An Approve click (see `decideApproval` for who counts and what is refused). `principals` are
 * what the grant will be for (see `grantPrincipals`: a vendor session's are the workflow's vendor
 * principals, never the target's).
 */
export function approve(
  request: AccessRequest,
  input: Omit<ApprovalInput, 'request'> & { readonly target: Target; readonly principals: readonly string[] },
): RequestChange & { readonly complete: boolean } {
  const { clicker, now, target, principals } = input;
  const { approvals, complete } = decideApproval({ ...input, request });
  // The last approval fixes the grant window, so a retried grant call asks for the same grant.
  const grantId = complete ? grantIdFor(request.id) : undefined;
  const next: AccessRequest = {
    ...request,
    approvals,
    updatedAt: now,
    ...(grantId === undefined
      ? {}
      : {
          status: 'approved',
          grant: {
            id: grantId,
            ...grantWindow(now, request.durationMs),
            principals,
            hosts: target.hosts,
          },
        }),
  };
  const detail = { approvals: approvals.length, required: request.approvalsRequired, complete };
  return { next, audit: auditOf(request, 'approved', clicker.userId, detail, grantId), complete };
}

/** A Deny with its reason (see `decideDenial`); one eligible denial ends the request. */
export function deny(
  request: AccessRequest,
  input: Omit<DenialInput, 'request'> & { readonly reason: string },
): RequestChange {
  const denial = decideDenial({ ...input, request });
  assertTransition(request.status, 'denied');
  const reason = input.reason.trim();
  return {
    next: {
      ...request,
      status: 'denied',
      updatedAt: denial.at,
      decision: { by: denial.userId, at: denial.at, ...(reason ? { reason } : {}) },
    },
    audit: auditOf(request, 'denied', input.clicker.userId, { reason }),
  };
}

/** The requester withdraws a pending request (see `assertCanCancel`). */
export function cancel(
  request: AccessRequest,
  input: { readonly userId: string; readonly now: number },
): RequestChange {
  assertCanCancel(request, input.userId);
  assertTransition(request.status, 'cancelled');
  const { userId, now } = input;
  return {
    next: { ...request, status: 'cancelled', updatedAt: now, decision: { by: userId, at: now } },
    audit: auditOf(request, 'cancelled', userId, { approvals: request.approvals.length }),
  };
}

/** Pending past its timeout: it can never be granted after that. Nothing to do when not pending or not due. */
export function timeOut(
  request: AccessRequest,
  input: { readonly timeoutMs: number; readonly now: number },
): RequestChange | undefined {
  const { timeoutMs, now } = input;
  if (request.status !== 'pending' || request.createdAt + timeoutMs > now) return undefined;
  assertTransition(request.status, 'timed_out');
  return {
    next: { ...request, status: 'timed_out', updatedAt: now },
    audit: auditOf(request, 'timed_out', SYSTEM_ACTOR, {
      approvals: request.approvals.length,
      required: request.approvalsRequired,
      timeoutMs,
    }),
  };
}

/**
 * Pending past the workflow's escalate_after: the escalation approvers may decide it too. Nothing
 * to do when not pending, escalated already, not due, or the workflow does not escalate.
 */
export function escalate(
  request: AccessRequest,
  input: { readonly escalateAfterMs: number | undefined; readonly now: number },
): RequestChange | undefined {
  const { escalateAfterMs, now } = input;
  if (request.status !== 'pending' || request.escalated) return undefined;
  if (escalateAfterMs === undefined || request.createdAt + escalateAfterMs > now) return undefined;
  return {
    next: { ...request, escalated: true, updatedAt: now },
    audit: auditOf(request, 'escalated', SYSTEM_ACTOR, {
      approvals: request.approvals.length,
      required: request.approvalsRequired,
    }),
  };
}

/**
 * Jumpgate withdraws a pending request by itself (its target was retired, its requester left):
 * `reason` is what the requester and the approval message are told. Nothing to do when it is no
 * longer pending.
 */
export function withdraw(
  request: AccessRequest,
  input: { readonly reason: string; readonly now: number },
): RequestChange | undefined {
  if (request.status !== 'pending') return undefined;
  assertTransition(request.status, 'cancelled');
  const { reason, now } = input;
  return {
    next: { ...request, status: 'cancelled', updatedAt: now, decision: { by: SYSTEM_ACTOR, at: now, reason } },
    audit: auditOf(request, 'cancelled', SYSTEM_ACTOR, { approvals: request.approvals.length, reason }),
  };
}
