import type { AccessRequest } from './access-request.js';
import { approverSetFor } from './approver-set.js';
import { JumpgateError } from './errors.js';
import { inPeopleSet, type Member } from './people.js';
import type { PeopleSet, Workflow } from './workflow.js';

/*
 * Who may end a grant early: its holder, and the approvers of its workflow (the set for its
 * kind, without escalation). Only an active grant can be revoked.
 */

/** True when `userId` holds the grant (asked for it, or sponsors it): no group needs looking up. */
export function holdsGrant(request: Pick<AccessRequest, 'requester'>, userId: string): boolean {
  return request.requester === userId;
}

/** Everyone besides the holder who may revoke the grant. */
export function revokersOf(workflow: Workflow, request: Pick<AccessRequest, 'kind'>): PeopleSet {
  return approverSetFor(workflow, request.kind, false).set;
}

/**
 * Throws `forbidden` unless `member` holds the grant or is in `revokers` (undefined when the
 * caller holds it and nothing was looked up), then `request_decided` unless the grant is active.
 * `name` is how the person named the grant (`grant_…` or `req_…`).
 */
export function assertMayRevoke(
  request: AccessRequest,
  input: { readonly member: Member; readonly revokers?: PeopleSet; readonly name: string },
): void {
  const { member, revokers, name } = input;
  if (!holdsGrant(request, member.userId) && !(revokers && inPeopleSet(revokers, member))) {
    throw new JumpgateError(
      'forbidden',
      `only the holder of ${name} or an approver of ${request.target} can revoke it`,
      { details: { id: name } },
    );
  }
  if (request.status !== 'active') {
    throw new JumpgateError(
      'request_decided',
      `${name} is not active (it is ${request.status.replace('_', ' ')}); nothing to revoke`,
      {
        details: { status: request.status },
      },
    );
  }
}
