import type { AccessRequest } from '../domain/access-request.js';
import { approverSetFor } from '../domain/approver-set.js';
import { JumpgateError } from '../domain/errors.js';
import { inPeopleSet } from '../domain/people.js';
import type { ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import { viewOf } from './request-view.js';
import { resolveMember } from './resolve-member.js';
import { transact } from './transact.js';

/**
 * The post-hoc review of a breakglass: "Reviewed: OK" or "Flag", by one of the workflow's
 * approvers (escalation approvers included), never by the person who used it. One review settles
 * it (`review_done`); a flag also alerts the security channel. Throws `not_found`,
 * `request_decided` (not a breakglass, or already reviewed), `self_approval`, `not_an_approver`.
 */
export function createReviewBreakglass(deps: Pick<ServiceDeps, 'store' | 'directory' | 'notifier' | 'policy' | 'now' | 'logger'>) {
  return async function reviewBreakglass(input: { requestId: string; userId: string; outcome: 'ok' | 'flagged' }): Promise<AccessRequest> {
    const policy = deps.policy();
    const initial = await deps.store.get(input.requestId);
    if (!initial) throw new JumpgateError('not_found', `there is no request ${input.requestId}`);
    const { set } = approverSetFor(viewOf(policy, initial).workflow, 'breakglass', true);
    const reviewer = await resolveMember(deps.directory, input.userId, [set]);

    const written = await transact(deps.store, input.requestId, (current) => {
      if (current.kind !== 'breakglass' || !current.review) throw new JumpgateError('request_decided', 'only breakglass access is reviewed afterwards');
      if (current.review.outcome) {
        const word = current.review.outcome === 'ok' ? 'reviewed as OK' : 'flagged';
        throw new JumpgateError('request_decided', `this breakglass was already ${word}; its message says by whom`, { details: { review: current.review } });
      }
      if (current.requester === input.userId) throw new JumpgateError('self_approval', 'you cannot review your own breakglass; one of its approvers must');
      if (!inPeopleSet(set, reviewer)) {
        throw new JumpgateError('not_an_approver', 'you are not an approver for this breakglass', { details: { approvers: { users: [...set.users], groups: [...set.groups] } } });
      }
      const at = deps.now();
      return {
        next: { ...current, updatedAt: at, review: { ...current.review, by: input.userId, at, outcome: input.outcome } },
        audit: { type: 'review_done', requestId: current.id, grantId: current.grant?.id, actor: input.userId, target: current.target, detail: { outcome: input.outcome, overdue: at > current.review.dueAt } },
      };
    });
    const reviewed = written!.request;
    const view = viewOf(policy, reviewed);
    const logger = deps.logger.child({ requestId: reviewed.id });
    if (reviewed.message) {
      const ref = reviewed.message;
      await notifySafely(logger, 'the review message update', () => deps.notifier.updateApprovalMessage(ref, view));
    }
    const channel = view.workflow.breakglass?.notifyChannel;
    if (input.outcome === 'flagged' && channel) {
      await notifySafely(logger, 'the flag alert', () =>
        deps.notifier.alert({ channel, requestId: reviewed.id, text: `Breakglass ${reviewed.id} (${reviewed.target}, by ${reviewed.requester}) was flagged in its review by ${input.userId}. Reason given: ${reviewed.reason}` }),
      );
    }
    return reviewed;
  };
}
