import type { AccessRequest } from '../../domain/access-request.js';
import { nextRetry } from '../../domain/grant-retry.js';
import type { Policy } from '../../domain/workflow.js';
import type { ServiceDeps } from '../deps.js';

/** The grant_retry_window default, for a request whose workflow is gone from the policy. */
export const DEFAULT_GRANT_RETRY_WINDOW_MS = 10 * 60_000;

/** How long the request's workflow waits for an unreachable broker (access.grant_retry_window). */
export function retryWindowOf(policy: Policy, request: Pick<AccessRequest, 'workflow'>): number {
  const workflow = policy.workflows.find((w) => w.name === request.workflow);
  return workflow?.access.grantRetryWindow ?? DEFAULT_GRANT_RETRY_WINDOW_MS;
}

/**
 * Schedules the next grant try of a request waiting for the broker. Its job id names the wait
 * and the slot, so the try that just failed, another replica and the recovery sweep all add the
 * same job. A failure to schedule is logged: the recovery sweep schedules it on its next pass.
 */
export async function scheduleNextTry(
  deps: Pick<ServiceDeps, 'scheduler' | 'now' | 'logger'>,
  request: Pick<AccessRequest, 'id' | 'grantWaitingSince'>,
): Promise<void> {
  const since = request.grantWaitingSince;
  if (since === undefined) return;
  const next = nextRetry(since, deps.now());
  try {
    await deps.scheduler.grantRetryAt(request.id, { since, ...next });
  } catch (error) {
    deps.logger
      .child({ requestId: request.id })
      .warn({ err: error }, 'could not schedule the next grant try; the recovery sweep schedules it');
  }
}
