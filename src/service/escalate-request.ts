import type { AccessRequest } from '../domain/access-request.js';
import { SYSTEM_ACTOR, type ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import { viewOf } from './request-view.js';
import { transact } from './transact.js';

/**
 * A request still pending after the workflow's `escalate_after`: marked escalated (so the
 * escalation approvers may decide it too), with an `escalated` record, a re-rendered approval
 * message and a reminder in its thread. Does nothing when not pending, not due, or done already.
 */
export function createEscalateRequest(deps: Pick<ServiceDeps, 'store' | 'notifier' | 'policy' | 'now' | 'logger'>) {
  return async function escalateRequest(requestId: string): Promise<AccessRequest | undefined> {
    const policy = deps.policy();
    const written = await transact(deps.store, requestId, (current) => {
      if (current.status !== 'pending' || current.escalated) return undefined;
      const after = viewOf(policy, current).workflow.access.escalateAfter;
      const now = deps.now();
      if (after === undefined || current.createdAt + after > now) return undefined;
      return {
        next: { ...current, escalated: true, updatedAt: now },
        audit: { type: 'escalated', requestId, actor: SYSTEM_ACTOR, target: current.target, detail: { approvals: current.approvals.length, required: current.approvalsRequired } },
      };
    });
    const request = written?.request;
    if (!request?.message) return request;
    const ref = request.message;
    const view = viewOf(policy, request);
    const logger = deps.logger.child({ requestId });
    await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, view));
    await notifySafely(logger, 'the escalation reminder', () => deps.notifier.remind(ref, view));
    return request;
  };
}
