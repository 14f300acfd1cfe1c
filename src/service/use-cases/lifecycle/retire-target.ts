import type { AccessRequest } from '../../../domain/access-request.js';
import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import type { Retirement } from '../../../domain/workflow.js';
import type { LifecycleDeps } from '../../deps.js';
import type { CommittedAudit } from '../../ports/audit.js';
import { endRequests, openRequests } from './end-requests.js';

/** How a target left the policy: marked `retired: true`, or removed from the workflow files. */
export type RetiredHow = 'marked' | 'removed';

/**
 * De-provisions a target that left the policy in force: its pending requests are cancelled and
 * its active grants revoked (broker revoke: KRL and live sessions; the holders told why; the
 * approval messages updated), each with its own audit record, then one `target_retired` record,
 * written once whichever replica gets there first. Safe to run again (on every replica, on every
 * reload): what was ended already is left alone. Returns the `target_retired` record when this
 * call wrote it.
 */
export function createRetireTarget(
  deps: Pick<LifecycleDeps, 'store' | 'records' | 'broker' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>,
) {
  return async function retireTarget(input: {
    readonly retirement: Retirement;
    readonly how: RetiredHow;
    /** The open requests already read (several targets retired at once read them once); else read here. */
    readonly open?: readonly AccessRequest[];
  }): Promise<CommittedAudit | undefined> {
    const { retirement, how } = input;
    const open = (input.open ?? (await openRequests(deps, () => true))).filter(
      (request) => request.target === retirement.target,
    );
    const when = new Date(retirement.at).toISOString().slice(0, 16).replace('T', ' ');
    const reason = `${retirement.target} was retired on ${when} UTC`;
    const { cancelled, ended, failed } = await endRequests(deps, open, reason);
    const record = await deps.records.recordRetirement(retirement, {
      type: 'target_retired',
      requestId: null,
      actor: SYSTEM_ACTOR,
      target: retirement.target,
      detail: { workflow: retirement.workflow, how, cancelled, ended, ...(failed.length > 0 ? { failed } : {}) },
    });
    if (record || cancelled.length + ended.length > 0) {
      deps.logger.info(
        { target: retirement.target, how, cancelled: cancelled.length, ended: ended.length, failed: failed.length },
        'target retired',
      );
    }
    return record;
  };
}
