import type { AccessRequest } from '../../../domain/access-request.js';
import { isLive } from '../../../domain/request-status.js';
import { type RequestableTarget, targetsFor } from '../../../domain/requestable-targets.js';
import type { ServiceDeps } from '../../deps.js';
import { resolveMember } from '../../support/resolve-member.js';

/** How far back `/jump list` looks; older requests are in the audit trail. */
const RECENT = 100;

/** `/jump list`: the caller's pending requests and live grants, newest first. */
export function createListMine(deps: Pick<ServiceDeps, 'store'>) {
  return async function listMine(userId: string): Promise<AccessRequest[]> {
    const recent = await deps.store.forUser(userId, RECENT);
    return recent.filter((request) => request.status === 'pending' || isLive(request.status));
  };
}

/** `/jump targets` and the request modal: what the caller may request. */
export function createListTargets(deps: Pick<ServiceDeps, 'directory' | 'policy'>) {
  return async function listTargets(userId: string): Promise<RequestableTarget[]> {
    const policy = deps.policy();
    const member = await resolveMember(
      deps.directory,
      userId,
      policy.workflows.map((w) => w.access.requesters),
    );
    return targetsFor(policy, member);
  };
}
