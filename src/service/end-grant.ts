import type { AccessRequest } from '../domain/access-request.js';
import { isJumpgateError } from '../domain/errors.js';
import { assertTransition } from '../domain/request-status.js';
import { announce } from './announce.js';
import type { ServiceDeps } from './deps.js';
import { transact } from './transact.js';

export type Ending =
  | { readonly status: 'expired'; readonly actor: string }
  /** `reason` when the bot revoked it by itself (e.g. the incident was resolved). */
  | { readonly status: 'revoked'; readonly actor: string; readonly reason?: string };

/**
 * Ends an active grant: the broker revokes it first (KRL, live sessions), then the state says
 * expired or revoked with its audit record, then people are told. A broker failure throws and
 * leaves the grant active so the caller retries (the certificate still expires at notAfter by
 * itself). Does nothing for a grant that is not active.
 */
export async function endGrant(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'notifier' | 'policy' | 'now' | 'logger'>,
  request: AccessRequest,
  ending: Ending,
): Promise<AccessRequest | undefined> {
  if (request.status !== 'active' || !request.grant) return undefined;
  const grantId = request.grant.id;
  const logger = deps.logger.child({ requestId: request.id, grantId });
  let brokerKnewIt = true;
  try {
    await deps.broker.revoke(grantId);
  } catch (error) {
    if (!isJumpgateError(error, 'not_found')) throw error;
    // The broker has no such grant (its state was reset?): nothing left to revoke there.
    brokerKnewIt = false;
    logger.warn({}, 'the broker did not know this grant when revoking it');
  }
  const written = await transact(deps.store, request.id, (current) => {
    if (current.status !== 'active') return undefined;
    assertTransition(current.status, ending.status);
    const now = deps.now();
    return {
      next: {
        ...current,
        status: ending.status,
        updatedAt: now,
        ...(ending.status === 'revoked' ? { revocation: { by: ending.actor, at: now, ...(ending.reason ? { reason: ending.reason } : {}) } } : {}),
      },
      audit: {
        type: ending.status,
        requestId: current.id,
        grantId,
        actor: ending.actor,
        target: current.target,
        detail: { notAfter: current.grant?.notAfter, lagMs: now - (current.grant?.notAfter ?? now), brokerKnewIt, ...(ending.status === 'revoked' && ending.reason ? { reason: ending.reason } : {}) },
      },
    };
  });
  if (!written) return undefined;
  await announce(deps, written.request, 'ended');
  return written.request;
}
