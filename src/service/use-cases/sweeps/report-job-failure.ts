import { formatDuration } from '../../../domain/duration.js';
import type { ServiceDeps } from '../../deps.js';
import type { JobKind } from '../../ports/scheduler.js';
import { notifySafely } from '../../support/notify-safely.js';
import { viewOf } from '../../support/request-view.js';

const WHAT: Record<JobKind, string> = {
  expire: 'revoke the grant',
  warn: 'send the expiry warning',
  timeout: 'time out the request',
  escalate: 'escalate the request',
  review: 'remind the approvers of an overdue breakglass review',
};

/**
 * When a job's last retry fails, a person is told in the workflow's channel what could not be
 * done and what still protects them (the certificate's own expiry, the reconciliation sweep).
 */
export function createReportJobFailure(deps: Pick<ServiceDeps, 'store' | 'notifier' | 'policy' | 'now' | 'logger'>) {
  return async function reportJobFailure(input: {
    job: JobKind;
    requestId: string;
    attempts: number;
    error: string;
  }): Promise<void> {
    const request = await deps.store.get(input.requestId);
    const logger = deps.logger.child({ requestId: input.requestId, job: input.job });
    logger.error({ attempts: input.attempts, error: input.error }, `gave up trying to ${WHAT[input.job]}`);
    if (!request) return;
    let channel: string;
    try {
      channel = viewOf(deps.policy(), request).workflow.access.channel;
    } catch {
      return;
    }
    const safety =
      input.job === 'expire' && request.grant
        ? ` The certificate still expires by itself at ${new Date(request.grant.notAfter).toISOString()}` +
          ` (${formatDuration(Math.max(0, request.grant.notAfter - deps.now()))} from now, if not already); reconciliation keeps retrying the revocation.`
        : '';
    await notifySafely(logger, 'the job failure alert', () =>
      deps.notifier.alert({
        channel,
        requestId: request.id,
        text: `Jumpgate could not ${WHAT[input.job]} for ${request.id} (${request.target}, requested by ${request.requester}) after ${input.attempts} attempts: ${input.error}.${safety}`,
      }),
    );
  };
}
