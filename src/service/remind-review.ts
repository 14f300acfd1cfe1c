import type { AccessRequest } from '../domain/access-request.js';
import { formatDuration } from '../domain/duration.js';
import { SYSTEM_ACTOR, type ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import { viewOf } from './request-view.js';
import { transact } from './transact.js';

/** Overdue reviews are chased this often: a quarter of the review window, between 15 minutes and 6 hours. */
export function reminderInterval(reviewWithinMs: number): number {
  return Math.min(6 * 3_600_000, Math.max(15 * 60_000, Math.floor(reviewWithinMs / 4)));
}

/**
 * The breakglass review job: while the review is overdue, remind the approvers in the message's
 * thread (escalation approvers included), tell the security channel, record it (`escalated`),
 * and schedule the next reminder. Does nothing once reviewed, or before it is due.
 */
export function createRemindReview(deps: Pick<ServiceDeps, 'store' | 'notifier' | 'scheduler' | 'policy' | 'now' | 'logger'>) {
  return async function remindReview(requestId: string): Promise<AccessRequest | undefined> {
    const policy = deps.policy();
    const written = await transact(deps.store, requestId, (current) => {
      const review = current.review;
      const now = deps.now();
      if (current.kind !== 'breakglass' || !review || review.outcome || review.dueAt > now) return undefined;
      return {
        next: { ...current, updatedAt: now, review: { ...review, remindedAt: now } },
        audit: { type: 'escalated', requestId, grantId: current.grant?.id, actor: SYSTEM_ACTOR, target: current.target, detail: { what: 'review_overdue', dueAt: review.dueAt, overdueMs: now - review.dueAt } },
      };
    });
    const request = written?.request;
    if (!request?.review) return undefined;
    const view = viewOf(policy, request);
    const logger = deps.logger.child({ requestId });
    if (request.message) {
      const ref = request.message;
      await notifySafely(logger, 'the review message update', () => deps.notifier.updateApprovalMessage(ref, view));
      await notifySafely(logger, 'the review reminder', () => deps.notifier.remind(ref, view));
    }
    const channel = view.workflow.breakglass?.notifyChannel;
    if (channel) {
      const overdue = formatDuration(deps.now() - request.review.dueAt);
      await notifySafely(logger, 'the overdue review alert', () =>
        deps.notifier.alert({ channel, requestId, text: `The review of breakglass ${requestId} (${request.target}, by ${request.requester}) is overdue by ${overdue}; nobody has reviewed it yet.` }),
      );
    }
    const interval = reminderInterval(view.workflow.breakglass?.reviewWithin ?? 0);
    await deps.scheduler.reviewAt(requestId, deps.now() + interval).catch((error: unknown) => logger.warn({ err: error }, 'could not schedule the next review reminder'));
    return request;
  };
}
