import { JumpgateError } from './errors.js';
import { inPeopleSet, type Member } from './people.js';
import type { Policy, Retirement, Target, Workflow } from './workflow.js';

/** A target together with the workflow whose rules govern it. */
export interface RequestableTarget {
  readonly workflow: Workflow;
  readonly target: Target;
}

/** True when the workflow lets `member` request its targets (no `requesters` = anyone). */
export function mayRequest(workflow: Workflow, member: Member): boolean {
  const { requesters } = workflow.access;
  return requesters === undefined || inPeopleSet(requesters, member);
}

/** Every target `member` may request, sorted by target name (retired targets are left out). */
export function targetsFor(policy: Policy, member: Member): RequestableTarget[] {
  return [...policy.targets.values()]
    .filter(({ workflow, target }) => !target.retired && mayRequest(workflow, member))
    .sort((a, b) => compareNames(a.target.name, b.target.name));
}

/**
 * The target called `name` (surrounding spaces ignored), when `member` may request it. Throws, in
 * this order, `target_retired` when it is marked `retired: true` or was removed and its
 * retirement is in `policy.retirements` (the message says when; details carry the `channel` to ask in),
 * `unknown_target` when no workflow defines it and `target_not_allowed` when its workflow limits
 * who may request it; these two list what the member may request instead (details `allowed`, a
 * list of target names).
 */
export function findTarget(policy: Policy, name: string, member: Member): RequestableTarget {
  const wanted = name.trim();
  const found = policy.targets.get(wanted);
  const retirement = policy.retirements.get(wanted);
  if (found?.target.retired || (found === undefined && retirement !== undefined)) {
    throw retiredError(wanted, retirement, found?.workflow.access.channel);
  }
  if (found !== undefined && mayRequest(found.workflow, member)) return found;
  const allowed = targetsFor(policy, member).map(({ target }) => target.name);
  const instead = allowed.length > 0 ? `you may request: ${allowed.join(', ')}` : 'there is no target you may request';
  if (found === undefined) {
    throw new JumpgateError('unknown_target', `there is no target "${wanted}" (${instead})`, {
      details: { target: wanted, allowed },
    });
  }
  throw new JumpgateError('target_not_allowed', `you may not request ${wanted} (${instead})`, {
    details: { target: wanted, workflow: found.workflow.name, allowed },
  });
}

function retiredError(name: string, retirement: Retirement | undefined, channel: string | undefined): JumpgateError {
  const when =
    retirement === undefined ? '' : ` on ${new Date(retirement.at).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
  const askIn = channel ?? retirement?.channel;
  return new JumpgateError('target_retired', `${name} was retired${when}: it takes no new requests`, {
    details: {
      target: name,
      ...(askIn === undefined ? {} : { channel: askIn }),
      ...(retirement ? { at: retirement.at } : {}),
    },
  });
}

/** True when `member` may request vendor sessions on the workflow's targets. */
export function canSponsor(workflow: Workflow, member: Member): boolean {
  return workflow.vendor?.allowed === true && inPeopleSet(workflow.vendor.sponsors, member);
}

// Plain code-point order: target names are identifiers, and the order must not depend on the
// locale of the machine the bot runs on.
function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
