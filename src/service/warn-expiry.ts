import type { AccessRequest } from '../domain/access-request.js';
import { SYSTEM_ACTOR, type ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import { viewOf } from './request-view.js';
import { transact } from './transact.js';

/**
 * The expiry warning DM, once per grant window. The decision to warn is recorded first (`warned`),
 * then the DM is sent: a slow or failing Slack cannot push the record past the grant's end, and a
 * retried job never warns twice. Does nothing for a grant that is no longer active or already warned.
 */
export function createWarnExpiry(deps: Pick<ServiceDeps, 'store' | 'notifier' | 'policy' | 'now' | 'logger'>) {
  return async function warnExpiry(requestId: string): Promise<AccessRequest | undefined> {
    const request = await deps.store.get(requestId);
    if (!request || request.status !== 'active' || !request.grant || request.warnedAt !== undefined) return undefined;
    if (request.grant.notAfter <= deps.now()) return undefined;
    const written = await transact(deps.store, requestId, (current) => {
      if (current.status !== 'active' || current.warnedAt !== undefined) return undefined;
      const now = deps.now();
      return {
        next: { ...current, warnedAt: now, updatedAt: now },
        audit: { type: 'warned', requestId, grantId: current.grant?.id, actor: SYSTEM_ACTOR, target: current.target, detail: { notAfter: current.grant?.notAfter } },
      };
    });
    const warned = written?.request;
    if (!warned) return undefined;
    const logger = deps.logger.child({ requestId });
    await notifySafely(logger, 'the expiry warning', () => deps.notifier.tell(warned.requester, { type: 'expiring', view: viewOf(deps.policy(), warned) }));
    return warned;
  };
}
