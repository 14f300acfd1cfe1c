import type { AccessRequest } from '../../../domain/access-request.js';
import { reminderInterval, remindOverdueReview } from '../../../domain/breakglass-review.js';
import { formatDuration } from '../../../domain/duration.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { type RequestView, viewOf } from '../../support/request-view.js';
import { transact } from '../../support/transact.js';

/**
 * The breakglass review job: while the review is overdue, remind the approvers in the message's
 * thread (escalation approvers included), tell the security channel, record it (`escalated`),
 * and schedule the next reminder. Does nothing once reviewed, or before it is due.
 */
export function createRemindReview(
  deps: Pick<ServiceDeps, 'store' | 'notifier' | 'scheduler' | 'policy' | 'now' | 'logger'>,
) {
  return async function remindReview(requestId: string): Promise<AccessRequest | undefined> {
    const committed = await transact(deps.store, requestId, (current) =>
      remindOverdueReview(current, { now: deps.now() }),
    );
    const request = committed?.request;
    if (!committed || !request?.review) return undefined;
    const { dueAt } = request.review;
    const overdueAlert = ({ workflow }: RequestView) => {
      const channel = workflow.breakglass?.notifyChannel;
      if (!channel) return undefined;
      const text = `The review of breakglass ${requestId} (${request.target}, by ${request.requester}) is overdue by ${formatDuration(deps.now() - dueAt)}; nobody has reviewed it yet.`;
      return { channel, requestId, text };
    };
    let reviewWithin = 0;
    try {
      reviewWithin = viewOf(deps.policy(), request).workflow.breakglass?.reviewWithin ?? 0;
    } catch {
      // The workflow is gone: keep chasing at the shortest interval.
    }
    const next = { kind: 'review', at: deps.now() + reminderInterval(reviewWithin) } as const;
    await runEffects(deps, committed, { update: true, remind: true, alerts: [overdueAlert], laterJobs: [next] });
    return request;
  };
}
