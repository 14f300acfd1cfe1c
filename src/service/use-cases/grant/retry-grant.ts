import type { AccessRequest } from '../../../domain/access-request.js';
import { decideRetry, retry } from '../../../domain/grant-retry.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { viewOf } from '../../support/request-view.js';
import { transact } from '../../support/transact.js';

/**
 * The Retry button of a request that failed because the broker stayed unreachable past
 * grant_retry_window: the requester or one of its approvers asks for the same grant again,
 * without new approvals, while those are still fresh (domain/grant-retry.ts `decideRetry`, which
 * throws the refusal the person reads). The request goes back to approved (`grant_retried`,
 * naming who clicked) and is issued as on approval, with the window fixed then; two clicks or
 * two replicas commit one retry (compare-and-set), the second is told it is under way.
 */
export function createRetryGrant(
  deps: Pick<ServiceDeps, 'store' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
  issueGrant: (request: AccessRequest) => Promise<AccessRequest>,
) {
  return async function retryGrant(input: { requestId: string; userId: string }): Promise<AccessRequest> {
    const committed = await transact(deps.store, input.requestId, (current) => {
      const { workflow } = viewOf(deps.policy(), current);
      const now = deps.now();
      decideRetry({ request: current, clicker: input.userId, requestTimeoutMs: workflow.access.requestTimeout, now });
      return retry(current, { actor: input.userId, now });
    });
    await runEffects(deps, committed, { update: true });
    return issueGrant(committed.request);
  };
}
