import type { AccessRequest } from '../../../domain/access-request.js';
import { JumpgateError } from '../../../domain/errors.js';
import { assertMayRevoke, holdsGrant, revokersOf } from '../../../domain/revocation.js';
import type { ServiceDeps } from '../../deps.js';
import { requestIdOf } from '../../support/request-id.js';
import { viewOf } from '../../support/request-view.js';
import { resolveMember } from '../../support/resolve-member.js';
import { endGrant } from './end-access.js';

/**
 * `/jump revoke <grant-id>`: ends a grant early. Allowed to its holder and to the workflow's
 * approvers (throws `forbidden`); throws `not_found` for an unknown id, `request_decided` when the
 * grant is not active, and the broker's error when it cannot revoke (the grant stays active).
 */
export function createRevokeGrant(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'scheduler' | 'notifier' | 'directory' | 'policy' | 'now' | 'logger'>,
) {
  return async function revokeGrant(input: { grantId: string; userId: string }): Promise<AccessRequest> {
    const requestId = requestIdOf(input.grantId.trim());
    const request = await deps.store.get(requestId);
    if (!request)
      throw new JumpgateError('not_found', `there is no grant ${input.grantId} (see /jump list for yours)`, {
        details: { id: input.grantId },
      });
    // The holder needs no group looked up (and may end their grant even when its workflow is gone).
    const revokers = holdsGrant(request, input.userId)
      ? undefined
      : revokersOf(viewOf(deps.policy(), request).workflow, request);
    const member = await resolveMember(deps.directory, input.userId, [revokers]);
    assertMayRevoke(request, { member, ...(revokers ? { revokers } : {}), name: input.grantId });
    const ended = await endGrant(deps, request, { status: 'revoked', actor: input.userId });
    // Lost a race with expiry: the grant ended either way.
    return ended ?? (await deps.store.get(requestId)) ?? request;
  };
}
