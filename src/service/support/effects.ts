import type { AccessRequest } from '../../domain/access-request.js';
import type { ServiceDeps } from '../deps.js';
import type { Logger } from '../ports/logger.js';
import type { Alert, Notice } from '../ports/notifier.js';
import type { JobKind } from '../ports/scheduler.js';
import { notifySafely } from './notify-safely.js';
import type { RequestView } from './request-view.js';
import { viewOf } from './request-view.js';
import type { Committed } from './transact.js';

export interface Job {
  readonly kind: JobKind;
  readonly at: number;
}

/** What a committed change implies besides itself. Every field is optional; nothing means nothing. */
export interface Effects {
  /** Scheduled first, one after the other, before any message: what must be in place whatever happens to Slack. */
  readonly jobs?: readonly Job[];
  /** Removed once `jobs` are in place: the expiry and warning an extension moved. */
  readonly cancelJobs?: readonly (Job & { readonly kind: 'expire' | 'warn' })[];
  /** Scheduled alongside the messages (nothing depends on them but a reminder). */
  readonly laterJobs?: readonly Job[];
  /** Alert the security channel, loudly, that breakglass access was taken (before the message is posted). */
  readonly announceBreakglass?: boolean;
  /** Post the approval message (remembered where it lands); `runEffects` returns its channel once posted or queued. */
  readonly post?: boolean;
  /** Re-render the approval message in place, when there is one (by the time it is sent). */
  readonly update?: boolean;
  /** Remind in the approval message's thread, after the update. */
  readonly remind?: boolean;
  /** Ask the approvers to decide the waiting extension, in the approval message's thread, after the update. */
  readonly askExtension?: boolean;
  /** A DM to the requester (the granted one carries the certificate). */
  readonly notice?:
    | { readonly type: Exclude<Notice['type'], 'granted' | 'extended'> }
    | { readonly type: 'granted' | 'extended'; readonly certificate: string };
  /** Alerts to post; a function is given the request's view (skipped when its workflow is gone). */
  readonly alerts?: readonly (Alert | ((view: RequestView) => Alert | undefined))[];
}

/** How a job that could not be scheduled is logged: what still covers for it. */
const JOB_FAILURE: Readonly<Record<JobKind, { level: 'error' | 'warn'; message: string }>> = {
  expire: { level: 'error', message: 'could not schedule the revocation; reconciliation will revoke at notAfter' },
  warn: { level: 'warn', message: 'could not schedule the expiry warning' },
  timeout: { level: 'error', message: 'could not schedule the request timeout; reconciliation will time it out' },
  escalate: { level: 'warn', message: 'could not schedule the escalation; reconciliation will escalate' },
  review: { level: 'error', message: 'could not schedule the review reminder' },
};

type Deps = Pick<ServiceDeps, 'store' | 'scheduler' | 'notifier' | 'policy' | 'logger'>;

/**
 * The one way out after a commit. The change has landed; what it implies runs with one failure
 * policy: a request that left pending has its pending-phase jobs cancelled, then `jobs` are
 * scheduled in order (the revocation must be in place whatever happens to messages), then the
 * later jobs, the DM, the alerts and the approval message (announce, post, update, remind, in
 * that order) run concurrently. Each failure is logged and never undoes the commit. Returns the
 * channel the approval message was posted to, when `post` asked for it and it was posted.
 */
export async function runEffects(
  deps: Deps,
  committed: Pick<Committed, 'request'> & { readonly previous?: AccessRequest },
  effects: Effects,
): Promise<{ postedTo?: string }> {
  const { request, previous } = committed;
  const logger = deps.logger.child({ requestId: request.id });
  if (previous?.status === 'pending' && request.status !== 'pending') {
    await deps.scheduler
      .cancelPending(request.id)
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'could not cancel the pending-phase jobs; they find nothing to do'),
      );
  }
  for (const job of effects.jobs ?? []) await schedule(deps, logger, request.id, job);
  for (const job of effects.cancelJobs ?? []) {
    await deps.scheduler
      .cancelAt(job.kind, request.id, job.at)
      .catch((error: unknown) =>
        logger.warn({ err: error, job: job.kind }, 'could not remove a moved job; it finds nothing due'),
      );
  }
  return sendMessages(deps, logger, request, effects);
}

async function sendMessages(
  deps: Deps,
  logger: Logger,
  request: AccessRequest,
  effects: Effects,
): Promise<{ postedTo?: string }> {
  let view: RequestView | undefined;
  try {
    view = viewOf(deps.policy(), request);
  } catch (error) {
    logger.warn({ err: error }, 'no message sent: the workflow of this request is gone');
  }
  let postedTo: string | undefined;
  const tasks: Promise<unknown>[] = (effects.laterJobs ?? []).map((job) => schedule(deps, logger, request.id, job));
  for (const alert of effects.alerts ?? []) {
    const resolved = typeof alert === 'function' ? (view ? alert(view) : undefined) : alert;
    if (resolved) tasks.push(notifySafely(logger, 'the alert', () => deps.notifier.alert(resolved)));
  }
  if (view) {
    const v = view;
    const { notice } = effects;
    if (notice) {
      const told: Notice =
        notice.type === 'granted' || notice.type === 'extended'
          ? { type: notice.type, view: v, certificate: notice.certificate }
          : { type: notice.type, view: v };
      tasks.push(notifySafely(logger, `the ${notice.type} DM`, () => deps.notifier.tell(request.requester, told)));
    }
    tasks.push(
      (async () => {
        if (effects.announceBreakglass)
          await notifySafely(logger, 'the breakglass alert', () => deps.notifier.announceBreakglass(v));
        let ref = request.message;
        if (effects.post) {
          await notifySafely(logger, 'the approval message', async () => {
            const posted = await deps.notifier.postApprovalMessage(v);
            // Undefined: queued; the delivery records where it lands, and what follows is sent after it.
            if (posted) await deps.store.setMessage(request.id, posted);
            ref = posted;
            postedTo = posted?.channel ?? v.workflow.access.channel;
          });
        }
        const at = ref;
        if (effects.update)
          await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(at, v));
        if (effects.remind) await notifySafely(logger, 'the reminder', () => deps.notifier.remind(at, v));
        if (effects.askExtension)
          await notifySafely(logger, 'the extension ask', () => deps.notifier.askExtension(at, v));
      })(),
    );
  }
  await Promise.all(tasks);
  return postedTo === undefined ? {} : { postedTo };
}

async function schedule(
  deps: Pick<ServiceDeps, 'scheduler'>,
  logger: Logger,
  requestId: string,
  job: Job,
): Promise<void> {
  const { scheduler } = deps;
  const run = {
    expire: () => scheduler.expireAt(requestId, job.at),
    warn: () => scheduler.warnAt(requestId, job.at),
    timeout: () => scheduler.timeoutAt(requestId, job.at),
    escalate: () => scheduler.escalateAt(requestId, job.at),
    review: () => scheduler.reviewAt(requestId, job.at),
  }[job.kind];
  try {
    await run();
  } catch (error) {
    const { level, message } = JOB_FAILURE[job.kind];
    logger[level]({ err: error, job: job.kind }, message);
  }
}
