import type { AccessRequest } from '../../../domain/access-request.js';
import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import { withdraw } from '../../../domain/pending-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { transact } from '../../support/transact.js';
import { endGrant } from '../grant/end-access.js';

/** What ending a set of requests did: the requests cancelled and the grants ended. */
export interface Ended {
  readonly cancelled: readonly string[];
  readonly ended: readonly string[];
  /** Grants the broker could not revoke now (the reconciliation sweep and notAfter still end them). */
  readonly failed: readonly string[];
}

type Deps = Pick<ServiceDeps, 'store' | 'broker' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>;

/**
 * The open requests that match `which`: pending ones and active grants, read from the status
 * indexes (a retired target or a person who left is rare enough for a scan).
 */
export async function openRequests(
  deps: Pick<ServiceDeps, 'store'>,
  which: (request: AccessRequest) => boolean,
): Promise<AccessRequest[]> {
  const ids = [...(await deps.store.idsByStatus('pending')), ...(await deps.store.idsByStatus('active'))];
  return (await deps.store.getMany(ids)).filter(which);
}

/**
 * Ends what `requests` still hold, for `reason`: pending requests are withdrawn (`cancelled`, the
 * requester told, the approval message updated) and active grants revoked through the one end
 * path (broker revoke: KRL and live sessions; `revoked` with the reason; the holder told). Each
 * is its own audit record; one that fails is logged and the rest go on.
 */
export async function endRequests(deps: Deps, requests: readonly AccessRequest[], reason: string): Promise<Ended> {
  const cancelled: string[] = [];
  const ended: string[] = [];
  const failed: string[] = [];
  for (const request of requests) {
    const logger = deps.logger.child({ requestId: request.id });
    try {
      if (request.status === 'pending') {
        const committed = await transact(deps.store, request.id, (current) =>
          withdraw(current, { reason, now: deps.now() }),
        );
        if (!committed) continue;
        cancelled.push(request.id);
        await runEffects(deps, committed, { update: true, notice: { type: 'closed' } });
      } else if (request.status === 'active' && request.grant) {
        const done = await endGrant(deps, request, { status: 'revoked', actor: SYSTEM_ACTOR, reason });
        if (done) ended.push(request.grant.id);
      }
    } catch (error) {
      logger.error({ err: error }, 'could not end this request; the reconciliation sweep and notAfter still end it');
      if (request.grant) failed.push(request.grant.id);
    }
  }
  return { cancelled, ended, failed };
}
