import { assertApprover } from './approver-set.js';
import { JumpgateError } from './errors.js';
import type { Member } from './people.js';
import type { RequestKind } from './request-kind.js';
import type { RequestStatus } from './request-status.js';
import type { PeopleSet } from './workflow.js';

/*
 * Deciding a pending request: approvers Approve or Deny, the requester may Cancel. Buttons stay
 * on old Slack messages, so a late click is normal; the person who made it is told, in words,
 * what already happened instead of seeing a state-machine name.
 */

const IN_WORDS: Readonly<Record<RequestStatus, string>> = {
  pending: 'this request is still pending',
  approved: 'this request is already approved',
  active: 'this request is already approved and its access is active',
  expired: 'this request was approved and its access has expired',
  revoked: 'this request was approved and its access was revoked',
  denied: 'this request was already denied',
  cancelled: 'this request was cancelled by its requester',
  timed_out: 'this request has timed out',
  failed: 'this request was approved but its access could not be granted',
};

/**
 * Throws `request_decided` unless the request is pending; the message says what happened to it
 * and details carry the `status`.
 */
export function assertPending(status: RequestStatus): void {
  if (status !== 'pending') {
    throw new JumpgateError('request_decided', IN_WORDS[status], { details: { status } });
  }
}

/** One approver's click on Approve. */
export interface Approval {
  readonly userId: string;
  /** Epoch milliseconds. */
  readonly at: number;
}

/** What the approval rules need to know about a request at the moment of a click. */
export interface RequestFacts {
  readonly status: RequestStatus;
  readonly kind: RequestKind;
  /** Slack user ID of the person who asked (the sponsor, for a vendor session). */
  readonly requester: string;
  /** Fixed when the request was made, so a policy change cannot move the goalposts mid-way. */
  readonly approvalsRequired: number;
  readonly approvals: readonly Approval[];
}

export interface ApprovalInput {
  readonly request: RequestFacts;
  /** The effective approvers (see `approverSetFor`, escalation included). */
  readonly approvers: PeopleSet;
  readonly allowSelfApproval: boolean;
  readonly clicker: Member;
  /** Epoch milliseconds. */
  readonly now: number;
}

export interface ApprovalDecision {
  /** The approvals so far, the new one last. */
  readonly approvals: Approval[];
  /** True when enough distinct approvers have approved: the request may be granted. */
  readonly complete: boolean;
}

/**
 * True while a request waits for approvers to decide it: pending, and neither a breakglass (granted
 * at once, reviewed afterwards) nor auto-approved (nobody has to click).
 */
export function awaitsDecision(request: {
  readonly status: RequestStatus;
  readonly kind: RequestKind;
  readonly autoApproval?: object;
}): boolean {
  return request.status === 'pending' && request.kind !== 'breakglass' && request.autoApproval === undefined;
}

/** Distinct approvers so far, in the order they clicked: one person counts once, however often they click. */
export function distinctApprovers(request: Pick<RequestFacts, 'approvals'>): string[] {
  return [...new Set(request.approvals.map((approval) => approval.userId))];
}

/** How many more distinct approvers a request needs (never negative). */
export function approvalsMissing(request: Pick<RequestFacts, 'approvalsRequired' | 'approvals'>): number {
  return Math.max(0, request.approvalsRequired - distinctApprovers(request).length);
}

/**
 * Records `clicker`'s approval. One person counts once, however often they click.
 * Throws, in this order:
 * - `request_decided` when the request is no longer pending (the message says what happened);
 * - `self_approval` when the clicker asked for it and the workflow forbids self approval;
 * - `not_an_approver` when the clicker is not in `approvers` (details carry the approvers);
 * - `already_approved` when the clicker approved before (the message says how many more
 *   approvals from other people are needed).
 */
export function decideApproval(input: ApprovalInput): ApprovalDecision {
  const { request, approvers, allowSelfApproval, clicker, now } = input;
  assertPending(request.status);
  if (clicker.userId === request.requester && !allowSelfApproval) {
    const message =
      request.kind === 'vendor'
        ? 'you cannot approve your own request: you sponsor this vendor session, so other vendor approvers must approve it'
        : 'you cannot approve your own request';
    throw new JumpgateError('self_approval', message, { details: { requester: request.requester } });
  }
  assertApprover(approvers, clicker);
  if (request.approvals.some((approval) => approval.userId === clicker.userId)) {
    const missing = approvalsMissing(request);
    throw new JumpgateError(
      'already_approved',
      missing > 0
        ? `you already approved this request; it needs ${missing} more ${missing === 1 ? 'approval' : 'approvals'} from other approvers`
        : 'you already approved this request',
      { details: { missing } },
    );
  }
  const approvals = [...request.approvals, { userId: clicker.userId, at: now }];
  return { approvals, complete: approvalsMissing({ approvalsRequired: request.approvalsRequired, approvals }) === 0 };
}

export interface DenialInput {
  readonly request: Pick<RequestFacts, 'status' | 'requester'>;
  /** The effective approvers (see `approverSetFor`, escalation included). */
  readonly approvers: PeopleSet;
  readonly allowSelfApproval: boolean;
  readonly clicker: Member;
  /** Epoch milliseconds. */
  readonly now: number;
}

/** Who denied a request, and when. One eligible denial ends the request. */
export interface Denial {
  readonly userId: string;
  readonly at: number;
}

/**
 * Records `clicker`'s denial. Denying is a decision, so it takes an eligible approver, just as
 * approving does. The requester withdraws a request with Cancel; Deny is theirs only where
 * the workflow lets them approve their own requests too. Throws, in this order:
 * - `request_decided` when the request is no longer pending;
 * - `forbidden` when the clicker asked for it and the workflow forbids self approval;
 * - `not_an_approver` when the clicker is not in `approvers` (details carry the approvers).
 */
export function decideDenial(input: DenialInput): Denial {
  const { request, approvers, allowSelfApproval, clicker, now } = input;
  assertPending(request.status);
  if (clicker.userId === request.requester && !allowSelfApproval) {
    throw new JumpgateError('forbidden', 'you cannot deny your own request; use Cancel to withdraw it', {
      details: { requester: request.requester },
    });
  }
  assertApprover(approvers, clicker);
  return { userId: clicker.userId, at: now };
}

/** True when `userId` may cancel the request now: only its requester, only while pending. */
export function canCancel(request: Pick<RequestFacts, 'status' | 'requester'>, userId: string): boolean {
  return request.requester === userId && request.status === 'pending';
}

/**
 * Throws `forbidden` when `userId` is not the requester (approvers use Deny instead), then
 * `request_decided` when the request is no longer pending.
 */
export function assertCanCancel(request: Pick<RequestFacts, 'status' | 'requester'>, userId: string): void {
  if (request.requester !== userId) {
    throw new JumpgateError(
      'forbidden',
      'only the person who made this request can cancel it; approvers can deny it instead',
      {
        details: { requester: request.requester },
      },
    );
  }
  assertPending(request.status);
}
