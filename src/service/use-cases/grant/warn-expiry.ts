import type { AccessRequest } from '../../../domain/access-request.js';
import { warn } from '../../../domain/grant-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { transact } from '../../support/transact.js';

/**
 * The expiry warning DM, once per grant window. The decision to warn is recorded first (`warned`),
 * then the DM is sent: a slow or failing Slack cannot push the record past the grant's end, and a
 * retried job never warns twice. Does nothing for a grant that is no longer active or already warned.
 */
export function createWarnExpiry(
  deps: Pick<ServiceDeps, 'store' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function warnExpiry(requestId: string): Promise<AccessRequest | undefined> {
    const request = await deps.store.get(requestId);
    if (!request || request.status !== 'active' || !request.grant || request.warnedAt !== undefined) return undefined;
    if (request.grant.notAfter <= deps.now()) return undefined;
    const committed = await transact(deps.store, requestId, (current) => warn(current, { now: deps.now() }));
    if (!committed) return undefined;
    await runEffects(deps, committed, { notice: { type: 'expiring' } });
    return committed.request;
  };
}
