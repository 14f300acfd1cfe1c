import type { AccessRequest } from '../../../domain/access-request.js';
import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import { awaitsReview, reviewersOf } from '../../../domain/breakglass-review.js';
import type { LifecycleDeps } from '../../deps.js';
import type { CommittedAudit } from '../../ports/audit.js';
import { notifySafely } from '../../support/notify-safely.js';
import { viewOf } from '../../support/request-view.js';
import { endRequests, openRequests } from './end-requests.js';

/** How Jumpgate learnt that the person left. */
export type OffboardSource = 'user_change' | 'periodic_check';

/** The reason the holder, the approvers and the audit trail read. */
export const LEFT_REASON = "the requester's Slack account was deactivated";

/** Past reviews are read in pages this big. */
const PAGE = 500;

/**
 * A person left (their Slack account was deactivated): every grant they hold is revoked through
 * the one end path and every pending request of theirs cancelled, each with its own record. That
 * includes the vendor sessions they sponsored: the sponsor is a vendor request's requester. The
 * breakglass reviews they could have done (named by user ID among a workflow's reviewers) are
 * handed to that workflow's other approvers in its security channel. Then their registered SSH key
 * is deleted with one `offboarded` record, written once whichever replica or check gets there
 * first. Safe to run again. Returns the `offboarded` record when this call wrote it.
 */
export function createOffboardPerson(
  deps: Pick<LifecycleDeps, 'store' | 'records' | 'broker' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function offboardPerson(input: {
    readonly userId: string;
    readonly source: OffboardSource;
  }): Promise<CommittedAudit | undefined> {
    const { userId, source } = input;
    const open = await openRequests(deps, (request) => request.requester === userId);
    const { cancelled, ended, failed } = await endRequests(deps, open, LEFT_REASON);
    const reassigned = await reassignReviews(userId);
    const record = await deps.records.offboard(userId, {
      type: 'offboarded',
      requestId: null,
      actor: SYSTEM_ACTOR,
      target: null,
      detail: {
        userId,
        source,
        cancelled,
        ended,
        ...(failed.length > 0 ? { failed } : {}),
        reviewsReassigned: reassigned,
        sshKeyDeleted: true,
      },
    });
    if (record || open.length > 0)
      deps.logger.info({ userId, source, cancelled: cancelled.length, ended: ended.length }, 'person offboarded');
    return record;
  };

  /** Breakglass reviews the person was named to do: the security channel is told who does them now. */
  async function reassignReviews(userId: string): Promise<string[]> {
    const policy = deps.policy();
    const workflows = policy.workflows.filter((w) => reviewersOf(w).users.includes(userId));
    if (workflows.length === 0) return [];
    const names = new Set(workflows.map((w) => w.name));
    const owed: AccessRequest[] = [];
    for (const status of ['active', 'expired', 'revoked'] as const) {
      const ids = await deps.store.idsByStatus(status);
      for (let i = 0; i < ids.length; i += PAGE) {
        const page = await deps.store.getMany(ids.slice(i, i + PAGE));
        owed.push(...page.filter((r) => names.has(r.workflow) && r.requester !== userId && awaitsReview(r)));
      }
    }
    for (const request of owed) {
      let view;
      try {
        view = viewOf(policy, request);
      } catch {
        continue;
      }
      const channel = view.workflow.breakglass?.notifyChannel;
      if (!channel) continue;
      const others = reviewersOf(view.workflow);
      const who = [...others.users.filter((id) => id !== userId), ...others.groups].join(', ') || 'nobody';
      const text = `${userId} left (Slack account deactivated): the review of breakglass ${request.id} on ${request.target} is now up to the workflow's other approvers (${who}).`;
      await notifySafely(deps.logger, 'the review reassignment', () =>
        deps.notifier.alert({ channel, text, requestId: request.id }),
      );
    }
    return owed.map((r) => r.id);
  }
}
