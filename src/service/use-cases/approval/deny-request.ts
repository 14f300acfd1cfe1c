import type { AccessRequest } from '../../../domain/access-request.js';
import { approverSetFor } from '../../../domain/approver-set.js';
import { deny } from '../../../domain/pending-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { viewOf } from '../../support/request-view.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';

/**
 * A Deny with its reason. Takes an eligible approver (throws `not_an_approver`, `forbidden` for
 * the requester, `request_decided` once decided); the request becomes denied for good, the
 * approval message says by whom and why, and the requester is told.
 */
export function createDenyRequest(
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function denyRequest(input: {
    requestId: string;
    userId: string;
    reason: string;
  }): Promise<AccessRequest> {
    const policy = deps.policy();
    const initial = await deps.store.get(input.requestId);
    // Every group that could count (escalated or not); the decision below picks the set.
    const sets = initial ? [approverSetFor(viewOf(policy, initial).workflow, initial.kind, true).set] : [];
    const clicker = await resolveMember(deps.directory, input.userId, sets);

    const committed = await transact(deps.store, input.requestId, (current) => {
      const { workflow } = viewOf(policy, current);
      const { set, allowSelfApproval } = approverSetFor(workflow, current.kind, current.escalated === true);
      return deny(current, {
        approvers: set,
        allowSelfApproval,
        clicker,
        now: deps.now(),
        reason: input.reason,
      });
    });
    await runEffects(deps, committed, { update: true, notice: { type: 'closed' } });
    return committed.request;
  };
}
