import type { AccessRequest } from '../../../domain/access-request.js';
import { timeOut } from '../../../domain/pending-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { viewOf } from '../../support/request-view.js';
import { transact } from '../../support/transact.js';

/**
 * A pending request whose `request_timeout` has passed becomes timed_out: it can never be
 * granted after that. Does nothing for a request that is no longer pending or not yet due
 * (a job that fires early or twice is harmless).
 */
export function createTimeoutRequest(
  deps: Pick<ServiceDeps, 'store' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function timeoutRequest(requestId: string): Promise<AccessRequest | undefined> {
    const committed = await transact(deps.store, requestId, (current) =>
      current.status === 'pending'
        ? timeOut(current, { timeoutMs: timeoutOf(deps, current), now: deps.now() })
        : undefined,
    );
    if (!committed) return undefined;
    await runEffects(deps, committed, { update: true, notice: { type: 'closed' } });
    return committed.request;
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
