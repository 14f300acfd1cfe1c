import type { AccessRequest, GrantRecord } from '../domain/access-request.js';
import { assertTransition } from '../domain/request-status.js';
import { warningAt } from '../domain/grant-window.js';
import { isJumpgateError, type ErrorCode } from '../domain/errors.js';
import { grantMismatches, groupsOf, securityChannelOf, type GrantMismatch } from '../domain/grant-check.js';
import type { Policy } from '../domain/workflow.js';
import { SYSTEM_ACTOR, type ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import type { IssuedGrant } from './ports/broker.js';
import { viewOf } from './request-view.js';
import { transact } from './transact.js';

/**
 * Turns an approved request into a grant: asks the broker for the certificate of the window
 * fixed at approval (the grant id is derived from the request, so asking again is harmless),
 * records it (`granted`), schedules the warning and the revocation, then tells the requester
 * and updates the approval message. A broker failure (after the client's retries) leaves the
 * request `failed` with a `grant_failed` record, shown to the requester and the approvers —
 * never half-granted. Does nothing unless the request is approved.
 *
 * The stored record is not trusted: whoever can write Redis can write one. Before every broker
 * call the grant is checked against the policy loaded now (domain/grant-check.ts); a grant that
 * does not match is never asked for: the request becomes `failed` (`grant_policy_mismatch`,
 * its `grant_failed` record naming every mismatch) and the workflow's security channel is
 * alerted. When the directory cannot say who is in which group, nothing is decided: the request
 * stays approved and the reconciliation sweep tries again.
 */
export function createIssueGrant(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'notifier' | 'scheduler' | 'directory' | 'policy' | 'now' | 'logger'>,
) {
  return async function issueGrant(requestId: string): Promise<AccessRequest | undefined> {
    const request = await deps.store.get(requestId);
    if (!request || request.status !== 'approved' || !request.grant) return request;
    const logger = deps.logger.child({ requestId });
    const policy = deps.policy();
    const planned = request.grant;

    if (planned.notAfter <= deps.now()) {
      return fail(request, brokerFailure(new Error('the grant window ended before the certificate could be issued')));
    }
    let mismatches: GrantMismatch[];
    try {
      mismatches = await checkPolicy(request, planned, policy);
    } catch (error) {
      logger.error({ err: error }, 'could not check the grant against the policy; reconciliation tries again');
      return request;
    }
    if (mismatches.length > 0) return refuse(request, policy, mismatches);

    let issued: IssuedGrant;
    try {
      const { target, workflow } = viewOf(policy, request);
      const user = await deps.directory.user(request.requester).catch(() => undefined);
      issued = await deps.broker.grant({
        id: planned.id,
        requestId,
        kind: request.kind,
        subject: request.vendor
          ? {
              type: 'vendor',
              email: request.vendor.email,
              name: request.vendor.name,
              sponsor: request.requester,
              sshPublicKey: request.sshPublicKey,
            }
          : {
              type: 'user',
              id: request.requester,
              email: user?.email,
              name: user?.name,
              sshPublicKey: request.sshPublicKey,
            },
        target: {
          name: target.name,
          hosts: planned.hosts,
          principals: planned.principals,
          ...(target.sourceAddress ? { sourceAddress: target.sourceAddress } : {}),
        },
        notAfter: new Date(planned.notAfter).toISOString(),
        reason: request.reason,
        ...(request.kind === 'vendor' ? { options: { allowPty: workflow.vendor?.allowPty ?? false } } : {}),
      });
    } catch (error) {
      logger.error({ err: error }, 'the broker did not issue the grant');
      return fail(request, brokerFailure(error));
    }

    const written = await transact(deps.store, requestId, (current) => {
      if (current.status !== 'approved') return undefined;
      assertTransition(current.status, 'active');
      const { serial, principals, certificate } = issued.credential;
      const next: AccessRequest = {
        ...current,
        status: 'active',
        updatedAt: deps.now(),
        grant: { ...planned, serial, principals, certificate },
      };
      return {
        next,
        audit: {
          type: 'granted',
          requestId,
          grantId: planned.id,
          actor: SYSTEM_ACTOR,
          target: current.target,
          detail: { serial, notAfter: issued.notAfter, principals },
        },
      };
    });
    const active = written?.request;
    if (!active) return deps.store.get(requestId);

    // Revocation first: it must be in place whatever happens to the messages.
    await deps.scheduler
      .expireAt(requestId, planned.notAfter)
      .catch((error: unknown) =>
        logger.error({ err: error }, 'could not schedule the revocation; reconciliation will revoke at notAfter'),
      );
    await deps.scheduler
      .warnAt(requestId, warningAt(planned.notBefore, planned.notAfter))
      .catch((error: unknown) => logger.warn({ err: error }, 'could not schedule the expiry warning'));
    const view = viewOf(policy, active);
    const certificate = issued.credential.certificate;
    const granted = { type: 'granted', view, certificate } as const;
    await notifySafely(logger, 'the certificate DM', () => deps.notifier.tell(active.requester, granted));
    if (active.message) {
      const ref = active.message;
      await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, view));
    }
    return active;
  };

  /** The current members of the workflow's groups and the requester's key, then the pure check. */
  async function checkPolicy(request: AccessRequest, grant: GrantRecord, policy: Policy): Promise<GrantMismatch[]> {
    const workflow = policy.targets.get(request.target)?.workflow;
    const groups = workflow ? groupsOf(workflow) : [];
    const members = async (group: string) => [group, await deps.directory.membersOf(group)] as const;
    const entries = await Promise.all(groups.map(members));
    const groupMembers = new Map(entries);
    const registeredKey = await deps.store.getSshKey(request.requester);
    return grantMismatches({ request, grant, policy, groupMembers, registeredKey, now: deps.now() });
  }

  async function refuse(
    request: AccessRequest,
    policy: Policy,
    mismatches: readonly GrantMismatch[],
  ): Promise<AccessRequest | undefined> {
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
    // Alerted only by the call that marked it failed, so concurrent attempts alert once.
    return fail(request, failure, { mismatches }, async () => {
      if (!workflow) return logger.error({ workflow: request.workflow }, 'no workflow to alert about this grant');
      const alert = { channel: securityChannelOf(workflow), requestId: request.id, text };
      await notifySafely(logger, 'the policy mismatch alert', () => deps.notifier.alert(alert));
    });
  }

  async function fail(
    request: AccessRequest,
    failure: { code: string; message: string },
    extra: Record<string, unknown> = {},
    afterCommit: () => Promise<void> = async () => {},
  ): Promise<AccessRequest | undefined> {
    const written = await transact(deps.store, request.id, (current) => {
      if (current.status !== 'approved') return undefined;
      assertTransition(current.status, 'failed');
      return {
        next: { ...current, status: 'failed', updatedAt: deps.now(), failure },
        audit: {
          type: 'grant_failed',
          requestId: current.id,
          grantId: current.grant?.id,
          actor: SYSTEM_ACTOR,
          target: current.target,
          detail: { ...failure, ...extra },
        },
      };
    });
    const failed = written?.request;
    if (!failed) return deps.store.get(request.id);
    await afterCommit();
    const logger = deps.logger.child({ requestId: request.id });
    let view;
    try {
      view = viewOf(deps.policy(), failed);
    } catch {
      return failed;
    }
    const notice = { type: 'closed', view } as const;
    await notifySafely(logger, 'the grant failure DM', () => deps.notifier.tell(failed.requester, notice));
    if (failed.message) {
      const ref = failed.message;
      await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, view));
    }
    return failed;
  }
}

function brokerFailure(error: unknown): { code: string; message: string } {
  return isJumpgateError(error)
    ? { code: error.code, message: error.message }
    : { code: 'broker_unavailable', message: error instanceof Error ? error.message : String(error) };
}
