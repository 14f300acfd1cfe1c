import type { AccessRequest } from '../../domain/access-request.js';
import { approverSetFor } from '../../domain/approver-set.js';
import type { PeopleSet } from '../../domain/workflow.js';
import type { RequestView } from '../../service/ports/notifier.js';
import { mentionGroup, mentionUser, slackDate } from '../mrkdwn.js';

/*
 * The post-hoc review of a breakglass, as its messages show it. A review is due by
 * `review.dueAt`; one approver settles it as OK or flagged.
 */

/** True while a breakglass still waits for its review (whatever became of the grant). */
export function awaitsReview(request: AccessRequest): boolean {
  return request.kind === 'breakglass' && request.review !== undefined && request.review.outcome === undefined;
}

/** Where the review stands: due, overdue, or who reviewed it how. Undefined when there is no review. */
export function reviewLine(request: AccessRequest, now: number): string | undefined {
  const review = request.review;
  if (request.kind !== 'breakglass' || !review) return undefined;
  if (review.outcome === 'ok') return `Reviewed by ${reviewer(review.by)}: OK`;
  if (review.outcome === 'flagged') return `:triangular_flag_on_post: Flagged by ${reviewer(review.by)}`;
  return now <= review.dueAt ? `Post-hoc review due by ${slackDate(review.dueAt)}` : `:warning: Review overdue since ${slackDate(review.dueAt)}`;
}

/**
 * Mentions of everyone who may review a breakglass: the access approvers and the escalation
 * approvers, users then groups, each once; never the person who used it (they may not review it).
 */
export function reviewerMentions(view: RequestView): string {
  const set: PeopleSet = approverSetFor(view.workflow, 'breakglass', true).set;
  const users = set.users.filter((id) => id !== view.request.requester);
  return [...users.map(mentionUser), ...set.groups.map(mentionGroup)].join(', ');
}

function reviewer(by: string | undefined): string {
  return by === undefined ? 'an approver' : mentionUser(by);
}
