import type { AccessRequest } from '../../../domain/access-request.js';
import { grantIdFor } from '../../../domain/access-request.js';
import type { Approval } from '../../../domain/approval.js';
import { approverSetFor } from '../../../domain/approver-set.js';
import { JumpgateError } from '../../../domain/errors.js';
import { approveExtension, type ExtensionClick } from '../../../domain/extension-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { grantExtension } from '../../support/grant-extension.js';
import { viewOf } from '../../support/request-view.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';

/**
 * An Approve click on an extension that waits for the approvers. The same rules as approving a
 * request (`approveExtension`: eligible approvers of the grant's kind, never the holder unless
 * the workflow allows self approval, one person once). The click that completes the approvals
 * grants the extension (a new certificate for the new window, see `grantExtension`); the
 * others are recorded (`extension_approved`). Throws `request_decided` when the extension no
 * longer waits.
 */
export function createApproveExtension(
  deps: Pick<ServiceDeps, 'store' | 'broker' | 'notifier' | 'scheduler' | 'directory' | 'policy' | 'now' | 'logger'>,
) {
  return async function approveExtensionClick(input: {
    requestId: string;
    window: number;
    userId: string;
  }): Promise<{ request: AccessRequest; complete: boolean }> {
    const initial = await deps.store.get(input.requestId);
    if (!initial) throw new JumpgateError('not_found', `there is no request ${input.requestId}`);
    const { workflow } = viewOf(deps.policy(), initial);
    const approvers = approverSetFor(workflow, initial.kind, false).set;
    const clicker = await resolveMember(deps.directory, input.userId, [approvers]);
    const click = (): ExtensionClick => ({
      window: input.window,
      approvers,
      allowSelfApproval: workflow.access.allowSelfApproval,
      clicker,
      now: deps.now(),
    });

    let completing: { request: AccessRequest; approvals: Approval[] } | undefined;
    const committed = await transact(deps.store, input.requestId, (current) => {
      const decided = approveExtension(current, click());
      if (decided.change) return decided.change;
      completing = { request: current, approvals: decided.approvals };
      return undefined;
    });
    if (committed) {
      await runEffects(deps, committed, { update: true });
      return { request: committed.request, complete: false };
    }
    if (!completing) throw new Error('an extension approval decided nothing');
    const { request, approvals } = completing;
    const ask = request.extensionRequest;
    const grant = request.grant;
    if (!ask || !grant) throw new JumpgateError('request_decided', 'this extension no longer waits for a decision');
    const extended = await grantExtension(deps, request, {
      planned: {
        window: ask.window,
        grantId: grantIdFor(request.id, ask.window),
        fromNotAfter: grant.notAfter,
        toNotAfter: grant.notAfter + ask.addedMs,
        addedMs: ask.addedMs,
      },
      how: 'approved',
      actor: input.userId,
      approvals,
    });
    return { request: extended, complete: true };
  };
}
