import type { AccessRequest } from '../domain/access-request.js';
import { assertTransition } from '../domain/request-status.js';
import { warningAt } from '../domain/grant-window.js';
import { isJumpgateError } from '../domain/errors.js';
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
 */
export function createIssueGrant(deps: Pick<ServiceDeps, 'store' | 'broker' | 'notifier' | 'scheduler' | 'directory' | 'policy' | 'now' | 'logger'>) {
  return async function issueGrant(requestId: string): Promise<AccessRequest | undefined> {
    const request = await deps.store.get(requestId);
    if (!request || request.status !== 'approved' || !request.grant) return request;
    const logger = deps.logger.child({ requestId });
    const policy = deps.policy();
    const planned = request.grant;

    let issued: IssuedGrant;
    try {
      if (planned.notAfter <= deps.now()) throw new Error('the grant window ended before the certificate could be issued');
      const { target, workflow } = viewOf(policy, request);
      const user = await deps.directory.user(request.requester).catch(() => undefined);
      issued = await deps.broker.grant({
        id: planned.id,
        requestId,
        kind: request.kind,
        subject: request.vendor
          ? { type: 'vendor', email: request.vendor.email, name: request.vendor.name, sponsor: request.requester, sshPublicKey: request.sshPublicKey }
          : { type: 'user', id: request.requester, email: user?.email, name: user?.name, sshPublicKey: request.sshPublicKey },
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
      return fail(request, error);
    }

    const written = await transact(deps.store, requestId, (current) => {
      if (current.status !== 'approved') return undefined;
      assertTransition(current.status, 'active');
      const next: AccessRequest = {
        ...current,
        status: 'active',
        updatedAt: deps.now(),
        grant: { ...planned, serial: issued.credential.serial, principals: issued.credential.principals, certificate: issued.credential.certificate },
      };
      return {
        next,
        audit: { type: 'granted', requestId, grantId: planned.id, actor: SYSTEM_ACTOR, target: current.target, detail: { serial: issued.credential.serial, notAfter: issued.notAfter, principals: issued.credential.principals } },
      };
    });
    const active = written?.request;
    if (!active) return deps.store.get(requestId);

    // Revocation first: it must be in place whatever happens to the messages.
    await deps.scheduler.expireAt(requestId, planned.notAfter).catch((error: unknown) => logger.error({ err: error }, 'could not schedule the revocation; reconciliation will revoke at notAfter'));
    await deps.scheduler.warnAt(requestId, warningAt(planned.notBefore, planned.notAfter)).catch((error: unknown) => logger.warn({ err: error }, 'could not schedule the expiry warning'));
    const view = viewOf(policy, active);
    await notifySafely(logger, 'the certificate DM', () => deps.notifier.tell(active.requester, { type: 'granted', view, certificate: issued.credential.certificate }));
    if (active.message) {
      const ref = active.message;
      await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, view));
    }
    return active;
  };

  async function fail(request: AccessRequest, error: unknown): Promise<AccessRequest | undefined> {
    const failure = isJumpgateError(error)
      ? { code: error.code, message: error.message }
      : { code: 'broker_unavailable', message: error instanceof Error ? error.message : String(error) };
    const written = await transact(deps.store, request.id, (current) => {
      if (current.status !== 'approved') return undefined;
      assertTransition(current.status, 'failed');
      return {
        next: { ...current, status: 'failed', updatedAt: deps.now(), failure },
        audit: { type: 'grant_failed', requestId: current.id, grantId: current.grant?.id, actor: SYSTEM_ACTOR, target: current.target, detail: failure },
      };
    });
    const failed = written?.request;
    if (!failed) return deps.store.get(request.id);
    const logger = deps.logger.child({ requestId: request.id });
    let view;
    try {
      view = viewOf(deps.policy(), failed);
    } catch {
      return failed;
    }
    await notifySafely(logger, 'the grant failure DM', () => deps.notifier.tell(failed.requester, { type: 'closed', view }));
    if (failed.message) {
      const ref = failed.message;
      await notifySafely(logger, 'the approval message update', () => deps.notifier.updateApprovalMessage(ref, view));
    }
    return failed;
  }
}
