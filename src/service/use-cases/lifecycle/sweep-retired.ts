import type { LifecycleDeps } from '../../deps.js';
import { endRequests, openRequests } from './end-requests.js';

/**
 * The periodic catch-up of retirements: a request still open on a target the policy in force has
 * retired (a broker that was down when it was retired, a replica that was writing it at that
 * moment) is ended now, like at the retirement. Returns the ids of what it ended.
 */
export function createSweepRetired(
  deps: Pick<LifecycleDeps, 'store' | 'broker' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function sweepRetired(): Promise<string[]> {
    const policy = deps.policy();
    const retired = (target: string) =>
      policy.targets.get(target)?.target.retired === true || policy.retirements.has(target);
    const open = await openRequests(deps, (request) => retired(request.target));
    if (open.length === 0) return [];
    const ended: string[] = [];
    for (const request of open) {
      const at = policy.retirements.get(request.target)?.at ?? deps.now();
      const when = new Date(at).toISOString().slice(0, 16).replace('T', ' ');
      const done = await endRequests(deps, [request], `${request.target} was retired on ${when} UTC`);
      ended.push(...done.cancelled, ...done.ended);
    }
    deps.logger.warn({ ended }, 'ended requests left open on retired targets');
    return ended;
  };
}
