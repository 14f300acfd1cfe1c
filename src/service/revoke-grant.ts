import type { AccessRequest } from '../domain/access-request.js';
import { approverSetFor } from '../domain/approver-set.js';
import { JumpgateError } from '../domain/errors.js';
import { inPeopleSet } from '../domain/people.js';
import type { ServiceDeps } from './deps.js';
import { endGrant } from './end-grant.js';
import { requestIdOf } from './request-id.js';
import { viewOf } from './request-view.js';
import { resolveMember } from './resolve-member.js';

/**
 * `/jump revoke <grant-id>`: ends a grant early. Allowed to its holder and to the workflow's
 * approvers (throws `forbidden`); throws `not_found` for an unknown id, `request_decided` when the
 * grant is not active, and the broker's error when it cannot revoke (the grant stays active).
 */
export function createRevokeGrant(deps: Pick<ServiceDeps, 'store' | 'broker' | 'notifier' | 'directory' | 'policy' | 'now' | 'logger'>) {
  return async function revokeGrant(input: { grantId: string; userId: string }): Promise<AccessRequest> {
    const requestId = requestIdOf(input.grantId.trim());
    const request = await deps.store.get(requestId);
    if (!request) throw new JumpgateError('not_found', `there is no grant ${input.grantId} (see /jump list for yours)`, { details: { id: input.grantId } });
    if (request.requester !== input.userId) {
      const { set } = approverSetFor(viewOf(deps.policy(), request).workflow, request.kind, false);
      const member = await resolveMember(deps.directory, input.userId, [set]);
      if (!inPeopleSet(set, member)) {
        throw new JumpgateError('forbidden', `only the holder of ${input.grantId} or an approver of ${request.target} can revoke it`, { details: { id: input.grantId } });
      }
    }
    if (request.status !== 'active') {
      throw new JumpgateError('request_decided', `${input.grantId} is not active (it is ${request.status.replace('_', ' ')}); nothing to revoke`, { details: { status: request.status } });
    }
    const ended = await endGrant(deps, request, { status: 'revoked', actor: input.userId });
    // Lost a race with expiry: the grant ended either way.
    return ended ?? (await deps.store.get(requestId)) ?? request;
  };
}
