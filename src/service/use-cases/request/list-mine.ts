import type { AccessRequest } from '../../../domain/access-request.js';
import { type ExtendChoice, extendChoices } from '../../../domain/extension.js';
import { isLive } from '../../../domain/request-status.js';
import { type RequestableTarget, targetsFor } from '../../../domain/requestable-targets.js';
import type { ServiceDeps } from '../../deps.js';
import { resolveMember } from '../../support/resolve-member.js';

/** How far back `/jump list` looks; older requests are in the audit trail. */
const RECENT = 100;

/** A listed request; an active grant carries the Extend buttons its workflow allows now. */
export type ListedRequest = AccessRequest & { readonly extendChoices?: readonly ExtendChoice[] };

/** `/jump list`: the caller's pending requests and live grants, newest first. */
export function createListMine(deps: Pick<ServiceDeps, 'store' | 'policy' | 'now'>) {
  return async function listMine(userId: string): Promise<ListedRequest[]> {
    const recent = await deps.store.forUser(userId, RECENT);
    const policy = deps.policy();
    const now = deps.now();
    return recent
      .filter((request) => request.status === 'pending' || isLive(request.status))
      .map((request) => {
        const workflow = policy.targets.get(request.target)?.workflow;
        if (request.status !== 'active' || workflow?.name !== request.workflow) return request;
        return { ...request, extendChoices: extendChoices(request, workflow, now) };
      });
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
