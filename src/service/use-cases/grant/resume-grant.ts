import type { AccessRequest } from '../../../domain/access-request.js';
import { waitIsOver } from '../../../domain/grant-retry.js';
import { asApproved } from '../../../domain/grant-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { retryWindowOf, scheduleNextTry } from '../../support/grant-wait.js';

/**
 * What the recovery sweep does with an approved request that is not granted yet. One that waits
 * for the broker has its next try scheduled (the same job its last try scheduled, so nothing is
 * doubled, and a try whose job was lost with a dead process resumes); once its wait is over it
 * is tried one last time, which fails it. Any other is interrupted work: issued now.
 */
export function createResumeGrant(
  deps: Pick<ServiceDeps, 'store' | 'scheduler' | 'policy' | 'now' | 'logger'>,
  issueGrant: (request: AccessRequest) => Promise<AccessRequest>,
) {
  return async function resumeGrant(requestId: string): Promise<AccessRequest | undefined> {
    const request = await deps.store.get(requestId);
    if (!request) return undefined;
    const waiting = asApproved(request);
    const since = waiting?.grantWaitingSince;
    if (waiting && since !== undefined && !waitIsOver(since, retryWindowOf(deps.policy(), waiting), deps.now())) {
      await scheduleNextTry(deps, waiting);
      return undefined;
    }
    const after = await issueGrant(request);
    return after.status === 'active' ? after : undefined;
  };
}
