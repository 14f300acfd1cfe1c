import type { AccessRequest } from './access-request.js';
import { SYSTEM_ACTOR } from './audit-entry.js';
import { JumpgateError } from './errors.js';
import { type Approved, asApproved } from './grant-transitions.js';
import { auditOf, type RequestChange } from './request-change.js';
import { assertTransition } from './request-status.js';

/*
 * An approved request whose grant call finds the broker unreachable waits for it instead of
 * failing: it stays approved, is tried again on a short schedule for the workflow's
 * grant_retry_window, and only then fails. A request that failed that way can be retried by a
 * person (its Retry button) while its approvals are still fresh, without new approvals.
 */

/** The failure code that means "unreachable" (network, timeout, 5xx): the only one worth waiting out. */
export const UNREACHABLE = 'broker_unavailable';

/** Tries after the first are this far apart at most, so a grant lands within this long of the broker's return. */
export const MAX_RETRY_GAP_MS = 5_000;
/** A try is never scheduled closer than this to now (a try that ran late leaves some breathing room). */
export const MIN_RETRY_GAP_MS = 500;

/**
 * When try `slot` (1, 2, 3, …) of a wait is due, in ms after the wait began: 1, 2 and 4 s apart,
 * then every 5 s (1 s, 3 s, 7 s, 12 s, 17 s, …). Slots are counted from the wait's start, so
 * every replica and the recovery sweep name the same next try (its job id) and schedule it once.
 */
export function retryOffset(slot: number): number {
  if (slot <= 1) return 1_000;
  if (slot === 2) return 3_000;
  if (slot === 3) return 7_000;
  return 7_000 + MAX_RETRY_GAP_MS * (slot - 3);
}

/** The first try of the wait that began at `since` due at least MIN_RETRY_GAP_MS after `now`. */
export function nextRetry(since: number, now: number): { readonly slot: number; readonly at: number } {
  const earliest = now + MIN_RETRY_GAP_MS - since;
  let slot: number;
  if (earliest <= retryOffset(1)) slot = 1;
  else if (earliest <= retryOffset(2)) slot = 2;
  else if (earliest <= retryOffset(3)) slot = 3;
  else slot = 3 + Math.ceil((earliest - retryOffset(3)) / MAX_RETRY_GAP_MS);
  return { slot, at: since + retryOffset(slot) };
}

/** True once a wait that began at `since` has lasted the workflow's grant_retry_window. */
export function waitIsOver(since: number, windowMs: number, now: number): boolean {
  return now >= since + windowMs;
}

/**
 * approved → approved, waiting for the broker: written once, on the first try that found the
 * broker unreachable (the retries write nothing until the grant lands or fails). Undefined when
 * the request is no longer approved or waits already.
 */
export function waitForBroker(
  request: AccessRequest,
  input: {
    readonly failure: { readonly code: string; readonly message: string };
    readonly windowMs: number;
    readonly now: number;
  },
): RequestChange | undefined {
  const approved = asApproved(request);
  if (!approved || approved.grantWaitingSince !== undefined) return undefined;
  const { failure, windowMs, now } = input;
  return {
    next: { ...approved, grantWaitingSince: now, updatedAt: now },
    audit: auditOf(approved, 'grant_waiting', SYSTEM_ACTOR, {
      ...failure,
      retryWindowMs: windowMs,
      retryUntil: now + windowMs,
    }),
  };
}

/** Why a Retry is refused, by name (the JumpgateError code a person's reply is made from). */
export type RetryRefusal = 'forbidden' | 'not_retryable' | 'approvals_stale' | 'grant_window_over';

export interface RetryInput {
  readonly request: AccessRequest;
  /** Slack user ID of the person who clicked Retry. */
  readonly clicker: string;
  /** The workflow's request_timeout: approvals older than this are stale. */
  readonly requestTimeoutMs: number;
  readonly now: number;
}

/**
 * Whether `clicker` may retry the grant of a failed request now. The approvals are "still fresh"
 * while the last one (or, with none to give — an auto-approval — the request itself) is
 * younger than the workflow's request_timeout, the same age a pending request may reach before it
 * times out, and while the grant window fixed at approval has not ended (the window is never
 * moved: a Retry asks for the grant the approvers approved). Throws, in this order:
 * - `not_retryable` when the request is not failed, or failed for a reason a new try does not
 *   fix (a refusal by the broker, a grant that did not match policy), or is a breakglass (taken
 *   again at once with /jump breakglass; a retry could make two live on one target);
 * - `forbidden` when the clicker is neither its requester nor one of its approvers;
 * - `grant_window_over` when the approved window has ended;
 * - `approvals_stale` when the approvals are older than request_timeout.
 */
export function decideRetry(input: RetryInput): void {
  const { request, clicker, requestTimeoutMs, now } = input;
  if (request.status === 'approved' || request.status === 'active') {
    throw new JumpgateError('not_retryable', 'this request is being granted already: nothing to retry', {
      details: { status: request.status },
    });
  }
  if (request.status !== 'failed' || request.failure?.code !== UNREACHABLE || !request.grant) {
    throw new JumpgateError(
      'not_retryable',
      request.status === 'failed'
        ? 'this request failed for a reason a new try does not fix; request access again'
        : `this request is ${request.status.replace('_', ' ')}: there is no grant to retry`,
      { details: { status: request.status, code: request.failure?.code } },
    );
  }
  if (request.kind === 'breakglass') {
    // Its per-target hold was let go when it failed; a second one may be live now. It needs no approvals anyway.
    throw new JumpgateError('not_retryable', 'a breakglass is not retried: take a new one with /jump breakglass', {
      details: { status: request.status, kind: request.kind },
    });
  }
  const approvers = request.approvals.map((approval) => approval.userId);
  if (clicker !== request.requester && !approvers.includes(clicker)) {
    throw new JumpgateError('forbidden', 'only the requester and the approvers of this request can retry its grant', {
      details: { requester: request.requester, approvers },
    });
  }
  if (request.grant.notAfter <= now) {
    throw new JumpgateError(
      'grant_window_over',
      'the access window approved for this request has ended; request access again',
      { details: { notAfter: request.grant.notAfter } },
    );
  }
  const approvedAt = Math.max(request.createdAt, ...request.approvals.map((approval) => approval.at));
  if (now - approvedAt >= requestTimeoutMs) {
    throw new JumpgateError(
      'approvals_stale',
      'the approvals of this request are too old to grant it without asking again; request access again',
      { details: { approvedAt, requestTimeoutMs } },
    );
  }
}

/** failed → approved by a Retry (after `decideRetry`): the grant fixed at approval is asked for again. */
export function retry(request: AccessRequest, input: { readonly actor: string; readonly now: number }): RequestChange {
  assertTransition(request.status, 'approved');
  const { failure, grantWaitingSince: _waited, ...rest } = request;
  const next: Approved = { ...(rest as Approved), status: 'approved', updatedAt: input.now };
  return {
    next,
    audit: auditOf(request, 'grant_retried', input.actor, {
      previousFailure: failure?.code,
      notAfter: request.grant?.notAfter,
    }),
  };
}

/** True when a Retry by the requester would be taken now (its button is shown only then). */
export function retryable(request: AccessRequest, requestTimeoutMs: number, now: number): boolean {
  try {
    decideRetry({ request, clicker: request.requester, requestTimeoutMs, now });
    return true;
  } catch {
    return false;
  }
}
