import type { AccessRequest, Extension } from '../../domain/access-request.js';
import { JumpgateError } from '../../domain/errors.js';
import { extend, type GrantedExtension } from '../../domain/extension-transitions.js';
import { securityChannelOf } from '../../domain/grant-check.js';
import { warningAt } from '../../domain/grant-window.js';
import type { ServiceDeps } from '../deps.js';
import { brokerGrantRequest } from './broker-grant-request.js';
import { checkGrant } from './check-grant.js';
import { runEffects } from './effects.js';
import { transact } from './transact.js';

type Deps = Pick<
  ServiceDeps,
  'store' | 'broker' | 'notifier' | 'scheduler' | 'directory' | 'policy' | 'now' | 'logger'
>;

/**
 * Grants a decided extension: the new window is checked against the policy loaded now, the
 * broker issues its certificate under the window's own derived id (a retry is the same call),
 * `extended` is committed, the revocation and warning move to the new end (scheduled first,
 * then the old jobs removed, so one revocation job per grant stays), the holder gets the new
 * certificate and the approval message shows the new end; only then is the old certificate
 * revoked at the broker (into the KRL). If that revocation fails, the reconciliation sweep
 * revokes the superseded grant, and its certificate expires at the old end regardless.
 *
 * Throws `grant_policy_mismatch` when the new window does not match the policy (the security
 * channel is alerted, nothing is issued), the broker's error when it does not issue, and
 * `already_extended` when another click or retry moved the grant first.
 */
export async function grantExtension(
  deps: Deps,
  request: AccessRequest,
  input: GrantedExtension,
): Promise<AccessRequest> {
  const { planned, how } = input;
  const grant = request.grant;
  if (!grant) throw new JumpgateError('request_decided', `${request.id} has no grant to extend`);
  const logger = deps.logger.child({ requestId: request.id, grantId: planned.grantId });
  const policy = deps.policy();
  const now = deps.now();
  const newGrant = { ...grant, id: planned.grantId, notAfter: planned.toNotAfter };
  const candidate: Extension = {
    window: planned.window,
    by: request.requester,
    at: now,
    addedMs: planned.addedMs,
    fromNotAfter: planned.fromNotAfter,
    toNotAfter: planned.toNotAfter,
    previousGrantId: grant.id,
    how,
    approvals: input.approvals,
  };
  const extended = { ...request, extensions: [...(request.extensions ?? []), candidate] };
  const mismatches = await checkGrant(deps, extended, newGrant, policy);
  if (mismatches.length > 0) {
    const what = mismatches.map((m) => m.message).join('; ');
    logger.error({ mismatches }, 'an extension did not match policy; nothing was issued');
    const workflow = policy.targets.get(request.target)?.workflow;
    if (workflow) {
      await deps.notifier
        .alert({
          channel: securityChannelOf(workflow),
          requestId: request.id,
          text: `an extension did not match policy: ${request.id} (${request.target}, held by ${request.requester}): ${what}. Nothing was issued; the grant keeps its end.`,
        })
        .catch((error: unknown) => logger.warn({ err: error }, 'could not alert about the extension'));
    }
    throw new JumpgateError(
      'grant_policy_mismatch',
      'the extension did not match the current policy; nothing was issued (the security channel is alerted)',
      { details: { mismatches } },
    );
  }

  const issued = await deps.broker.grant(await brokerGrantRequest(deps, request, newGrant, policy));
  const { serial, principals, certificate } = issued.credential;
  const committed = await transact(deps.store, request.id, (current) =>
    extend(current, {
      planned,
      how,
      actor: input.actor,
      approvals: input.approvals,
      issued: { serial, principals, certificate, notAfter: issued.notAfter },
      now: deps.now(),
    }),
  );
  if (!committed) {
    const current = await deps.store.get(request.id);
    // The same extension landed by another click or retry: it is done.
    if (current?.status === 'active' && current.grant?.id === planned.grantId) return current;
    // It cannot land any more: the certificate just issued must not stay valid.
    await deps.broker
      .revoke(planned.grantId)
      .catch((error: unknown) =>
        logger.warn({ err: error }, 'could not revoke an extension that did not land; reconciliation revokes it'),
      );
    throw new JumpgateError(
      'already_extended',
      current?.status === 'active'
        ? `${grant.id} changed while it was being extended; it now ends at ${new Date(current.grant?.notAfter ?? 0).toISOString()}`
        : `${grant.id} ended while it was being extended; nothing was extended`,
      { details: { id: grant.id } },
    );
  }
  // A window's warning is placed from the moment the window began (the extension's `at`), so the
  // next extension finds the job to remove by the same arithmetic.
  const previousWindowStart = request.extensions?.at(-1)?.at ?? grant.notBefore;
  const windowStart = committed.request.extensions?.at(-1)?.at ?? now;
  await runEffects(deps, committed, {
    jobs: [{ kind: 'expire', at: planned.toNotAfter }],
    cancelJobs: [
      { kind: 'expire', at: planned.fromNotAfter },
      { kind: 'warn', at: warningAt(previousWindowStart, planned.fromNotAfter) },
    ],
    laterJobs: [{ kind: 'warn', at: warningAt(windowStart, planned.toNotAfter) }],
    notice: { type: 'extended', certificate },
    update: true,
  });
  // The new certificate has been sent: the old one goes into the KRL now, so two are never valid for long.
  await deps.broker
    .revoke(grant.id)
    .catch((error: unknown) =>
      logger.warn(
        { err: error, previous: grant.id },
        'could not revoke the superseded grant; reconciliation revokes it',
      ),
    );
  return committed.request;
}
