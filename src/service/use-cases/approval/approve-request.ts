import type { AccessRequest } from '../../../domain/access-request.js';
import { approverSetFor } from '../../../domain/approver-set.js';
import { approve } from '../../../domain/pending-transitions.js';
import { grantPrincipals } from '../../../domain/vendor-session.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { viewOf } from '../../support/request-view.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';

export interface ApprovalOutcome {
  readonly request: AccessRequest;
  /** True when this click was the last approval needed: the grant is being issued. */
  readonly complete: boolean;
}

/**
 * An Approve click. Only eligible approvers count, one person once, never the requester unless
 * the workflow allows it, and a decided request cannot change (throws `not_an_approver`,
 * `self_approval`, `already_approved`, `request_decided`). Concurrent clicks are decided one
 * after the other on what is stored, so a request is approved, and granted, exactly once. The
 * last approval fixes the grant window; `issueGrant` then asks the broker.
 */
export function createApproveRequest(
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
  issueGrant: (request: AccessRequest) => Promise<AccessRequest>,
) {
  return async function approveRequest(input: { requestId: string; userId: string }): Promise<ApprovalOutcome> {
    const policy = deps.policy();
    const initial = await deps.store.get(input.requestId);
    // Look up every group that could count (escalated or not); the decision below picks the set.
    const sets = initial ? [approverSetFor(viewOf(policy, initial).workflow, initial.kind, true).set] : [];
    const clicker = await resolveMember(deps.directory, input.userId, sets);

    const committed = await transact(deps.store, input.requestId, (current) => {
      const { workflow, target } = viewOf(policy, current);
      const { set, allowSelfApproval } = approverSetFor(workflow, current.kind, current.escalated === true);
      return approve(current, {
        approvers: set,
        allowSelfApproval,
        clicker,
        now: deps.now(),
        target,
        principals: grantPrincipals(workflow, target, current.kind),
      });
    });
    const request = committed.request;
    const complete = request.status === 'approved';
    // The grant updates the message once it is issued; until then only the pending jobs go.
    await runEffects(deps, committed, { update: !complete });
    if (complete) return { request: await issueGrant(request), complete };
    return { request, complete };
  };
}
