import type { AccessRequest, ReviewRecord } from './access-request.js';
import { approverSetFor } from './approver-set.js';
import { SYSTEM_ACTOR } from './audit-entry.js';
import { JumpgateError } from './errors.js';
import { inPeopleSet, type Member } from './people.js';
import { auditOf, type RequestChange } from './request-change.js';
import type { PeopleSet, Workflow } from './workflow.js';

/*
 * The post-hoc review of a breakglass: due by `review.dueAt`, settled by one of the workflow's
 * approvers (escalation approvers included) as OK or flagged, never by the person who used it.
 * Every rule about it is here; the review use cases and the Slack messages ask these.
 */

/** Who may review a breakglass under `workflow`: the access approvers and the escalation approvers. */
export function reviewersOf(workflow: Workflow): PeopleSet {
  return approverSetFor(workflow, 'breakglass', true).set;
}

/** The reviewers a message mentions: everyone who may review, without the person who used it. */
export function reviewersToMention(workflow: Workflow, request: Pick<AccessRequest, 'requester'>): PeopleSet {
  const set = reviewersOf(workflow);
  return { users: set.users.filter((id) => id !== request.requester), groups: set.groups };
}

/** The review a breakglass still waits for (whatever became of the grant); undefined once reviewed, or for no breakglass. */
export function pendingReview(request: AccessRequest): ReviewRecord | undefined {
  return request.kind === 'breakglass' && request.review?.outcome === undefined ? request.review : undefined;
}

/** True while a breakglass still waits for its review. */
export function awaitsReview(request: AccessRequest): boolean {
  return pendingReview(request) !== undefined;
}

/** True when a breakglass still waits for its review and its due time has passed. */
export function reviewOverdue(request: AccessRequest, now: number): boolean {
  const review = pendingReview(request);
  return review !== undefined && review.dueAt <= now;
}

/** Overdue reviews are chased this often: a quarter of the review window, between 15 minutes and 6 hours. */
export function reminderInterval(reviewWithinMs: number): number {
  return Math.min(6 * 3_600_000, Math.max(15 * 60_000, Math.floor(reviewWithinMs / 4)));
}

/**
 * A reviewer's "Reviewed: OK" or "Flag". Throws, in this order: `no_review` (not a breakglass),
 * `review_done` (reviewed already; the message says how), `self_review` (the person who used it),
 * `not_an_approver` (not among `reviewers`; details carry them).
 */
export function review(
  request: AccessRequest,
  input: {
    readonly reviewers: PeopleSet;
    readonly reviewer: Member;
    readonly outcome: 'ok' | 'flagged';
    readonly now: number;
  },
): RequestChange {
  const { reviewers, reviewer, outcome, now } = input;
  const current = request.review;
  if (request.kind !== 'breakglass' || !current)
    throw new JumpgateError('no_review', 'only breakglass access is reviewed afterwards');
  if (current.outcome) {
    const word = current.outcome === 'ok' ? 'reviewed as OK' : 'flagged';
    throw new JumpgateError('review_done', `this breakglass was already ${word}; its message says by whom`, {
      details: { review: current },
    });
  }
  if (request.requester === reviewer.userId)
    throw new JumpgateError('self_review', 'you cannot review your own breakglass; one of its approvers must');
  if (!inPeopleSet(reviewers, reviewer)) {
    throw new JumpgateError('not_an_approver', 'you are not an approver for this breakglass', {
      details: { approvers: { users: [...reviewers.users], groups: [...reviewers.groups] } },
    });
  }
  return {
    next: { ...request, updatedAt: now, review: { ...current, by: reviewer.userId, at: now, outcome } },
    audit: auditOf(request, 'review_done', reviewer.userId, { outcome, overdue: now > current.dueAt }),
  };
}

/** An overdue review is chased: recorded (`escalated`) each time. Nothing to do once reviewed or before it is due. */
export function remindOverdueReview(
  request: AccessRequest,
  input: { readonly now: number },
): RequestChange | undefined {
  const { now } = input;
  const current = pendingReview(request);
  if (current === undefined || current.dueAt > now) return undefined;
  return {
    next: { ...request, updatedAt: now, review: { ...current, remindedAt: now } },
    audit: auditOf(request, 'escalated', SYSTEM_ACTOR, {
      what: 'review_overdue',
      dueAt: current.dueAt,
      overdueMs: now - current.dueAt,
    }),
  };
}
