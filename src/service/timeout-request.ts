import type { AccessRequest } from '../domain/access-request.js';
import { assertTransition } from '../domain/request-status.js';
import { announce } from './announce.js';
import { SYSTEM_ACTOR, type ServiceDeps } from './deps.js';
import { viewOf } from './request-view.js';
import { transact } from './transact.js';

/**
 * A pending request whose `request_timeout` has passed becomes timed_out: it can never be
 * granted after that. Does nothing for a request that is no longer pending or not yet due
 * (a job that fires early or twice is harmless).
 */
export function createTimeoutRequest(deps: Pick<ServiceDeps, 'store' | 'notifier' | 'policy' | 'now' | 'logger'>) {
  return async function timeoutRequest(requestId: string): Promise<AccessRequest | undefined> {
    const written = await transact(deps.store, requestId, (current) => {
      if (current.status !== 'pending') return undefined;
      const timeout = timeoutOf(deps, current);
      const now = deps.now();
      if (current.createdAt + timeout > now) return undefined;
      assertTransition(current.status, 'timed_out');
      return {
        next: { ...current, status: 'timed_out', updatedAt: now },
        audit: { type: 'timed_out', requestId, actor: SYSTEM_ACTOR, target: current.target, detail: { approvals: current.approvals.length, required: current.approvalsRequired, timeoutMs: timeout } },
      };
    });
    if (!written) return undefined;
    await announce(deps, written.request, 'closed');
    return written.request;
  };
}

function timeoutOf(deps: Pick<ServiceDeps, 'policy'>, request: AccessRequest): number {
  try {
    return viewOf(deps.policy(), request).workflow.access.requestTimeout;
  } catch {
    // The workflow is gone: nobody can approve this request any more, so let it time out.
    return 0;
  }
}
