import type { AccessRequest } from '../../../domain/access-request.js';
import { review, reviewersOf } from '../../../domain/breakglass-review.js';
import { JumpgateError } from '../../../domain/errors.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { type RequestView, viewOf } from '../../support/request-view.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';

/**
 * The post-hoc review of a breakglass: "Reviewed: OK" or "Flag" (the rules are
 * domain/breakglass-review.ts's). One review settles it (`review_done`); a flag also alerts the
 * security channel. Throws `not_found`, `no_review`, `review_done`, `self_review`, `not_an_approver`.
 */
export function createReviewBreakglass(
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function reviewBreakglass(input: {
    requestId: string;
    userId: string;
    outcome: 'ok' | 'flagged';
  }): Promise<AccessRequest> {
    const policy = deps.policy();
    const initial = await deps.store.get(input.requestId);
    if (!initial) throw new JumpgateError('not_found', `there is no request ${input.requestId}`);
    const reviewers = reviewersOf(viewOf(policy, initial).workflow);
    const reviewer = await resolveMember(deps.directory, input.userId, [reviewers]);

    const committed = await transact(deps.store, input.requestId, (current) =>
      review(current, { reviewers, reviewer, outcome: input.outcome, now: deps.now() }),
    );
    const reviewed = committed.request;
    const flagAlert = ({ workflow }: RequestView) => {
      const channel = workflow.breakglass?.notifyChannel;
      if (input.outcome !== 'flagged' || !channel) return undefined;
      const text = `Breakglass ${reviewed.id} (${reviewed.target}, by ${reviewed.requester}) was flagged in its review by ${input.userId}. Reason given: ${reviewed.reason}`;
      return { channel, requestId: reviewed.id, text };
    };
    await runEffects(deps, committed, { update: true, alerts: [flagAlert] });
    return reviewed;
  };
}
