import type { AccessRequest } from '../../domain/access-request.js';
import { reviewersToMention } from '../../domain/breakglass-review.js';
import type { RequestView } from '../../service/support/request-view.js';
import { mentionGroup, mentionUser, slackDate } from '../mrkdwn.js';

/*
 * The post-hoc review of a breakglass, as its messages show it. Its rules (who reviews, when it
 * is due or done) are domain/breakglass-review.ts's.
 */

/** Where the review stands: due, overdue, or who reviewed it how. Undefined when there is no review. */
export function reviewLine(request: AccessRequest, now: number): string | undefined {
  const review = request.review;
  if (request.kind !== 'breakglass' || !review) return undefined;
  if (review.outcome === 'ok') return `Reviewed by ${reviewer(review.by)}: OK`;
  if (review.outcome === 'flagged') return `:triangular_flag_on_post: Flagged by ${reviewer(review.by)}`;
  return now <= review.dueAt
    ? `Post-hoc review due by ${slackDate(review.dueAt)}`
    : `:warning: Review overdue since ${slackDate(review.dueAt)}`;
}

/** Mentions of everyone who may review a breakglass, users then groups, each once; never the person who used it. */
export function reviewerMentions(view: RequestView): string {
  const set = reviewersToMention(view.workflow, view.request);
  return [...set.users.map(mentionUser), ...set.groups.map(mentionGroup)].join(', ');
}

function reviewer(by: string | undefined): string {
  return by === undefined ? 'an approver' : mentionUser(by);
}
