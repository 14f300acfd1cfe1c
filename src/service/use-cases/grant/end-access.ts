import type { AccessRequest } from '../../../domain/access-request.js';
import { isJumpgateError } from '../../../domain/errors.js';
import { type Ending, end } from '../../../domain/grant-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { transact } from '../../support/transact.js';

/**
 * Ends an active grant: the broker revokes it first (KRL, live sessions), then the state says
 * expired or revoked with its audit record, then people are told. A broker failure throws and
 * leaves the grant active so the caller retries (the certificate still expires at notAfter by
 * itself). Does nothing for a grant that is not active.
 */
export async function endGrant(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
  request: AccessRequest,
  ending: Ending,
): Promise<AccessRequest | undefined> {
  if (request.status !== 'active' || !request.grant) return undefined;
  const grantId = request.grant.id;
  let brokerKnewIt = true;
  try {
    await deps.broker.revoke(grantId);
  } catch (error) {
    if (!isJumpgateError(error, 'not_found')) throw error;
    // The broker has no such grant (its state was reset?): nothing left to revoke there.
    brokerKnewIt = false;
    deps.logger
      .child({ requestId: request.id, grantId })
      .warn({}, 'the broker did not know this grant when revoking it');
  }
  const committed = await transact(deps.store, request.id, (current) =>
    end(current, { ending, brokerKnewIt, now: deps.now() }),
  );
  if (!committed) return undefined;
  // The revocation has landed: the messages are queued in the outbox, never awaited from Slack.
  await runEffects(deps, committed, { update: true, notice: { type: 'ended' } });
  return committed.request;
}
