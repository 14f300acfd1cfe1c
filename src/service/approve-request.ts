import type { AccessRequest } from '../domain/access-request.js';
import { grantIdFor } from '../domain/access-request.js';
import { decideApproval } from '../domain/approval.js';
import { approverSetFor } from '../domain/approver-set.js';
import { grantWindow } from '../domain/grant-window.js';
import type { ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import { viewOf } from './request-view.js';
import { resolveMember } from './resolve-member.js';
import { transact } from './transact.js';

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
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'notifier' | 'policy' | 'now' | 'logger'>,
  issueGrant: (requestId: string) => Promise<AccessRequest | undefined>,
) {
  return async function approveRequest(input: { requestId: string; userId: string }): Promise<ApprovalOutcome> {
    const policy = deps.policy();
    const initial = await deps.store.get(input.requestId);
    const view0 = initial ? viewOf(policy, initial) : undefined;
    // Look up every group that could count (escalated or not); the decision below picks the set.
    const approvers = view0 ? approverSetFor(view0.workflow, initial!.kind, true) : undefined;
    const clicker = await resolveMember(deps.directory, input.userId, [approvers?.set]);

    let complete = false;
    const written = await transact(deps.store, input.requestId, (current) => {
      const { workflow, target } = viewOf(policy, current);
      const { set } = approverSetFor(workflow, current.kind, current.escalated === true);
      const now = deps.now();
      const decision = decideApproval({ request: current, approvers: set, allowSelfApproval: workflow.access.allowSelfApproval, clicker, now });
      complete = decision.complete;
      const window = grantWindow(now, current.durationMs);
      const next: AccessRequest = {
        ...current,
        approvals: decision.approvals,
        updatedAt: now,
        ...(decision.complete
          ? {
              status: 'approved',
              grant: { id: grantIdFor(current.id), ...window, principals: target.principals, hosts: target.hosts },
            }
          : {}),
      };
      return {
        next,
        audit: {
          type: 'approved',
          requestId: current.id,
          ...(decision.complete ? { grantId: grantIdFor(current.id) } : {}),
          actor: input.userId,
          target: current.target,
          detail: { approvals: decision.approvals.length, required: current.approvalsRequired, complete: decision.complete },
        },
      };
    });
    const request = written!.request;
    const logger = deps.logger.child({ requestId: request.id });
    if (complete) return { request: (await issueGrant(request.id)) ?? request, complete };
    if (request.message) {
      const ref = request.message;
      await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, viewOf(policy, request)));
    }
    return { request, complete };
  };
}
