import type { AccessRequest, GrantRecord } from '../../domain/access-request.js';
import { type GrantMismatch, grantMismatches, groupsOf } from '../../domain/grant-check.js';
import type { Policy } from '../../domain/workflow.js';
import type { ServiceDeps } from '../deps.js';

/**
 * The last gate before the broker is asked for a certificate: the current members of the
 * workflow's groups and the requester's registered key, then the pure check of `grant` (the
 * first window, or an extension's) against `policy`. Throws when the directory cannot answer:
 * nothing is decided then.
 */
export async function checkGrant(
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'now'>,
  request: AccessRequest,
  grant: GrantRecord,
  policy: Policy,
): Promise<GrantMismatch[]> {
  const workflow = policy.targets.get(request.target)?.workflow;
  const groups = workflow ? groupsOf(workflow) : [];
  const members = async (group: string) => [group, await deps.directory.membersOf(group)] as const;
  const groupMembers = new Map(await Promise.all(groups.map(members)));
  const registeredKey = await deps.store.getSshKey(request.requester);
  return grantMismatches({ request, grant, policy, groupMembers, registeredKey, now: deps.now() });
}
