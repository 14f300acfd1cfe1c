import type { AccessRequest } from '../../../domain/access-request.js';
import { approverSetFor } from '../../../domain/approver-set.js';
import { JumpgateError } from '../../../domain/errors.js';
import { denyExtension } from '../../../domain/extension-transitions.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { viewOf } from '../../support/request-view.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';

/**
 * A Deny click on an extension that waits for the approvers: one eligible denial settles it
 * (`extension_denied`); the grant keeps its end, the holder is told who denied it, and the
 * approval message shows it. Throws `not_an_approver`, `forbidden` (the holder denying their
 * own ask; they let it lapse instead) or `request_decided`.
 */
export function createDenyExtension(
  deps: Pick<ServiceDeps, 'store' | 'notifier' | 'scheduler' | 'directory' | 'policy' | 'now' | 'logger'>,
) {
  return async function denyExtensionClick(input: {
    requestId: string;
    window: number;
    userId: string;
  }): Promise<AccessRequest> {
    const initial = await deps.store.get(input.requestId);
    if (!initial) throw new JumpgateError('not_found', `there is no request ${input.requestId}`);
    const { workflow } = viewOf(deps.policy(), initial);
    const approvers = approverSetFor(workflow, initial.kind, false).set;
    const clicker = await resolveMember(deps.directory, input.userId, [approvers]);
    const committed = await transact(deps.store, input.requestId, (current) =>
      denyExtension(current, {
        window: input.window,
        approvers,
        allowSelfApproval: workflow.access.allowSelfApproval,
        clicker,
        now: deps.now(),
      }),
    );
    await runEffects(deps, committed, { update: true, notice: { type: 'extension_denied' } });
    return committed.request;
  };
}
