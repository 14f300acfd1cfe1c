import type { AccessRequest } from '../../../domain/access-request.js';
import { escalate } from '../../../domain/pending-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { viewOf } from '../../support/request-view.js';
import { transact } from '../../support/transact.js';

/**
 * A request still pending after the workflow's `escalate_after`: marked escalated (so the
 * escalation approvers may decide it too), with an `escalated` record, a re-rendered approval
 * message and a reminder in its thread. Does nothing when not pending, not due, or done already.
 */
export function createEscalateRequest(
  deps: Pick<ServiceDeps, 'store' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function escalateRequest(requestId: string): Promise<AccessRequest | undefined> {
    const policy = deps.policy();
    const committed = await transact(deps.store, requestId, (current) =>
      current.status === 'pending' && !current.escalated
        ? escalate(current, { escalateAfterMs: viewOf(policy, current).workflow.access.escalateAfter, now: deps.now() })
        : undefined,
    );
    if (!committed) return undefined;
    await runEffects(deps, committed, { update: true, remind: true });
    return committed.request;
  };
}
