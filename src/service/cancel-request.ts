import type { AccessRequest } from '../domain/access-request.js';
import { assertCanCancel } from '../domain/approval.js';
import { assertTransition } from '../domain/request-status.js';
import { announce } from './announce.js';
import type { ServiceDeps } from './deps.js';
import { transact } from './transact.js';

/**
 * The requester withdraws a pending request. Only the requester, only while pending (throws
 * `forbidden`, `request_decided`); a cancelled request can never be granted, and its approval
 * message says so.
 */
export function createCancelRequest(deps: Pick<ServiceDeps, 'store' | 'notifier' | 'policy' | 'now' | 'logger'>) {
  return async function cancelRequest(input: { requestId: string; userId: string }): Promise<AccessRequest> {
    const written = await transact(deps.store, input.requestId, (current) => {
      assertCanCancel(current, input.userId);
      assertTransition(current.status, 'cancelled');
      const at = deps.now();
      return {
        next: { ...current, status: 'cancelled', updatedAt: at, decision: { by: input.userId, at } },
        audit: { type: 'cancelled', requestId: current.id, actor: input.userId, target: current.target, detail: { approvals: current.approvals.length } },
      };
    });
    const cancelled = written!.request;
    await announce(deps, cancelled, undefined);
    return cancelled;
  };
}
