import type { AccessRequest } from '../../../domain/access-request.js';
import { cancel } from '../../../domain/pending-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { transact } from '../../support/transact.js';

/**
 * The requester withdraws a pending request. Only the requester, only while pending (throws
 * `forbidden`, `request_decided`); a cancelled request can never be granted, and its approval
 * message says so.
 */
export function createCancelRequest(
  deps: Pick<ServiceDeps, 'store' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function cancelRequest(input: { requestId: string; userId: string }): Promise<AccessRequest> {
    const committed = await transact(deps.store, input.requestId, (current) =>
      cancel(current, { userId: input.userId, now: deps.now() }),
    );
    await runEffects(deps, committed, { update: true });
    return committed.request;
  };
}
