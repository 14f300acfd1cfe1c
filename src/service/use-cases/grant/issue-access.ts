import type { AccessRequest } from '../../../domain/access-request.js';
import { formatDuration } from '../../../domain/duration.js';
import { type ErrorCode, isJumpgateError } from '../../../domain/errors.js';
import { type GrantMismatch, securityChannelOf } from '../../../domain/grant-check.js';
import { UNREACHABLE, waitForBroker, waitIsOver } from '../../../domain/grant-retry.js';
import { type Approved, asApproved, fail, grant } from '../../../domain/grant-transitions.js';
import { warningAt } from '../../../domain/grant-window.js';
import type { Policy } from '../../../domain/workflow.js';
import type { ServiceDeps } from '../../deps.js';
import type { IssuedGrant } from '../../ports/broker.js';
import { brokerGrantRequest } from '../../support/broker-grant-request.js';
import { checkGrant } from '../../support/check-grant.js';
import { type Effects, runEffects } from '../../support/effects.js';
import { retryWindowOf, scheduleNextTry } from '../../support/grant-wait.js';
import { transact } from '../../support/transact.js';

/**
 * Turns an approved request into a grant: asks the broker for the certificate of the window
 * fixed at approval (the grant id is derived from the request, so asking again is harmless),
 * records it (`granted`), schedules the revocation, then the warning, the certificate DM and the
 * approval message update together. A broker that is unreachable (`broker_unavailable` after the
 * client's retries) is waited for: the request stays approved (`grant_waiting`, written once,
 * told to the requester and on the approval message) and is tried again every ≤ 5 s by a
 * delayed job until the workflow's grant_retry_window has passed; then it fails. A refusal by
 * the broker fails the request at once. A failed request has a `grant_failed` record, shown to
 * the requester and the approvers — never half-granted. Returns the request as it stands
 * afterwards; does nothing unless it is approved.
 *
 * The stored record is not trusted: whoever can write Redis can write one. Before every broker
 * call the grant is checked against the policy loaded now (domain/grant-check.ts); a grant that
 * does not match is never asked for: the request becomes `failed` (`grant_policy_mismatch`,
 * its `grant_failed` record naming every mismatch) and the workflow's security channel is
 * alerted. When the directory cannot say who is in which group, nothing is decided: the request
 * stays approved and the reconciliation sweep tries again.
 */
export function createIssueGrant(
  deps: Pick<
    ServiceDeps,
    'store' | 'broker' | 'notifier' | 'scheduler' | 'directory' | 'policy' | 'now' | 'logger' | 'telemetry'
  >,
) {
  return async function issueGrant(given: AccessRequest): Promise<AccessRequest> {
    const stored = (await deps.store.get(given.id)) ?? given;
    const request = asApproved(stored);
    if (!request) return stored;
    const logger = deps.logger.child({ requestId: request.id });
    const policy = deps.policy();
    const planned = request.grant;

    if (planned.notAfter <= deps.now()) {
      return failWith(
        request,
        brokerFailure(new Error('the grant window ended before the certificate could be issued')),
      );
    }
    let mismatches: GrantMismatch[];
    try {
      mismatches = await checkGrant(deps, request, request.grant, policy);
    } catch (error) {
      logger.error({ err: error }, 'could not check the grant against the policy; reconciliation tries again');
      return request;
    }
    if (mismatches.length > 0) return refuse(request, policy, mismatches);

    let issued: IssuedGrant;
    try {
      issued = await deps.broker.grant(await brokerGrantRequest(deps, request, request.grant, policy));
    } catch (error) {
      const failure = brokerFailure(error);
      if (failure.code === UNREACHABLE) return waitOrFail(request, policy, failure, error);
      logger.error({ err: error }, 'the broker refused the grant');
      return failWith(request, failure);
    }

    // The grant id is the request's: a grant revoked at the broker meanwhile (reconciliation
    // revokes what a failed request left there) answers with its revoked certificate, never a new one.
    if (issued.status !== 'active') {
      logger.error({ brokerStatus: issued.status }, 'the broker holds this grant as ended; nothing was granted');
      return failWith(request, {
        code: 'broker_rejected',
        message: `the access broker holds this grant as ${issued.status} already; request access again`,
      });
    }
    const { serial, principals, certificate } = issued.credential;
    const committed = await transact(deps.store, request.id, (current) =>
      grant(current, { issued: { serial, principals, certificate, notAfter: issued.notAfter }, now: deps.now() }),
    );
    if (!committed) return (await deps.store.get(request.id)) ?? request;
    // From approval (the request's last change before this one) to the grant recorded.
    deps.telemetry?.grantIssued(request.kind, committed.request.updatedAt - request.updatedAt);
    await runEffects(deps, committed, {
      // Revocation first: it must be in place whatever happens to the messages.
      jobs: [{ kind: 'expire', at: planned.notAfter }],
      laterJobs: [{ kind: 'warn', at: warningAt(planned.notBefore, planned.notAfter) }],
      notice: { type: 'granted', certificate },
      update: true,
    });
    return committed.request;
  };

  /** The broker is unreachable: start waiting (once), try again shortly, or fail once the window has passed. */
  async function waitOrFail(
    request: Approved,
    policy: Policy,
    failure: { code: string; message: string },
    error: unknown,
  ): Promise<AccessRequest> {
    const logger = deps.logger.child({ requestId: request.id });
    const windowMs = retryWindowOf(policy, request);
    const since = request.grantWaitingSince;
    if (since !== undefined && waitIsOver(since, windowMs, deps.now())) {
      logger.error({ err: error, waitedMs: deps.now() - since }, 'the broker stayed unreachable; the grant failed');
      return failWith(request, {
        code: failure.code,
        message: `the access broker did not answer for ${formatDuration(windowMs)}`,
      });
    }
    if (since !== undefined) {
      logger.warn({ err: error }, 'the broker is still unreachable; the grant is tried again shortly');
      await scheduleNextTry(deps, request);
      return request;
    }
    logger.error({ err: error }, 'the broker is unreachable; the grant waits for it and is tried again shortly');
    const committed = await transact(deps.store, request.id, (current) =>
      waitForBroker(current, { failure, windowMs, now: deps.now() }),
    );
    // Someone else started the wait (or the grant landed): their try schedules the next one.
    if (!committed) return (await deps.store.get(request.id)) ?? request;
    await scheduleNextTry(deps, committed.request);
    await runEffects(deps, committed, { notice: { type: 'waiting' }, update: true });
    return committed.request;
  }

  async function refuse(
    request: Approved,
    policy: Policy,
    mismatches: readonly GrantMismatch[],
  ): Promise<AccessRequest> {
    const logger = deps.logger.child({ requestId: request.id });
    logger.error({ mismatches }, 'a grant did not match policy; nothing was issued');
    const code: ErrorCode = 'grant_policy_mismatch';
    const failure = { code, message: 'the grant did not match the current policy (the security channel is alerted)' };
    // The workflow that owns the target, else the one the record names: a forged record may name either.
    const workflow =
      policy.targets.get(request.target)?.workflow ?? policy.workflows.find((w) => w.name === request.workflow);
    const what = mismatches.map((m) => m.message).join('; ');
    const text =
      `a grant did not match policy: ${request.id} (${request.kind} access to ${request.target}, ` +
      `requested by ${request.requester}): ${what}. Nothing was issued; the request is failed.`;
    if (!workflow) logger.error({ workflow: request.workflow }, 'no workflow to alert about this grant');
    // Alerted only by the call that marked it failed, so concurrent attempts alert once.
    return failWith(
      request,
      failure,
      { mismatches },
      workflow ? [{ channel: securityChannelOf(workflow), requestId: request.id, text }] : [],
    );
  }

  async function failWith(
    request: Approved,
    failure: { code: string; message: string },
    extra: Record<string, unknown> = {},
    alerts: Effects['alerts'] = [],
  ): Promise<AccessRequest> {
    const committed = await transact(deps.store, request.id, (current) =>
      fail(current, { failure, extra, now: deps.now() }),
    );
    if (!committed) return (await deps.store.get(request.id)) ?? request;
    await runEffects(deps, committed, { alerts, notice: { type: 'closed' }, update: true });
    return committed.request;
  }
}

function brokerFailure(error: unknown): { code: string; message: string } {
  return isJumpgateError(error)
    ? { code: error.code, message: error.message }
    : { code: 'broker_unavailable', message: error instanceof Error ? error.message : String(error) };
}
