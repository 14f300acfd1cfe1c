import type { AccessRequest } from '../../../domain/access-request.js';
import { JumpgateError } from '../../../domain/errors.js';
import { decideExtension, type IncidentState } from '../../../domain/extension.js';
import { askExtension } from '../../../domain/extension-transitions.js';
import type { PeopleSet } from '../../../domain/workflow.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { grantExtension } from '../../support/grant-extension.js';
import { requestIdOf } from '../../support/request-id.js';
import { viewOf } from '../../support/request-view.js';
import { transact } from '../../support/transact.js';

export type ExtendOutcome =
  /** Granted at once: the grant runs under its new id until its new end. */
  | { readonly outcome: 'extended'; readonly request: AccessRequest }
  /** Beyond auto_within: the approvers were asked. */
  | { readonly outcome: 'asked'; readonly request: AccessRequest; readonly approvers: PeopleSet };

/**
 * `/jump extend <grant-id> <duration>` and the Extend buttons: more time on a running grant, by
 * its holder, under the workflow's extend rules (see `decideExtension` for what is refused and
 * in which order). Within auto_within (or while the incident a grant ends with is open) the new
 * window is granted at once; beyond it the extension waits for the approvers, asked in the
 * approval message's thread with the original approvals shown. Throws `not_found` for an
 * unknown id and `incidents_unavailable` when PagerDuty cannot say whether the grant's incident
 * is still open.
 */
export function createExtendGrant(
  deps: Pick<
    ServiceDeps,
    'store' | 'broker' | 'notifier' | 'scheduler' | 'directory' | 'incidents' | 'policy' | 'now' | 'logger'
  >,
) {
  return async function extendGrant(input: {
    grantId: string;
    userId: string;
    addedMs: number;
  }): Promise<ExtendOutcome> {
    const grantId = input.grantId.trim();
    const requestId = requestIdOf(grantId);
    const request = await deps.store.get(requestId);
    if (!request || request.requester !== input.userId) {
      // Someone else's grant is not theirs to learn about.
      throw new JumpgateError('not_found', `you hold no grant ${grantId} (see /jump list for yours)`, {
        details: { id: grantId },
      });
    }
    const { workflow } = viewOf(deps.policy(), request);
    const incident = await incidentState(request);
    const decide = (current: AccessRequest) =>
      decideExtension({
        request: current,
        workflow,
        userId: input.userId,
        grantId,
        addedMs: input.addedMs,
        incident,
        now: deps.now(),
      });
    const decision = decide(request);
    if (decision.outcome === 'at_once') {
      const extended = await grantExtension(deps, request, {
        planned: decision,
        how: decision.how,
        actor: input.userId,
        approvals: [],
      });
      return { outcome: 'extended', request: extended };
    }
    const committed = await transact(deps.store, requestId, (current) => {
      const again = decide(current);
      // Decided on what is stored: only an ask waits for the approvers.
      if (again.outcome !== 'approval') throw new JumpgateError('already_extended', 'the grant changed; try again');
      return askExtension(current, { decision: again, now: deps.now() });
    });
    await runEffects(deps, committed, { update: true, askExtension: true, post: !committed.request.message });
    return { outcome: 'asked', request: committed.request, approvers: decision.approvers };
  };

  /** The state of the incident a grant ends with; undefined for a grant that does not end with one. */
  async function incidentState(request: AccessRequest): Promise<IncidentState> {
    const incident = request.incident;
    if (!incident?.endWithIncident) return undefined;
    if (!deps.incidents) {
      throw new JumpgateError(
        'incidents_unavailable',
        `this grant ends with incident #${incident.number}, and PagerDuty is not configured to say whether it is still open`,
      );
    }
    try {
      const now = await deps.incidents.incident(incident.id);
      return now && now.status !== 'resolved' ? 'open' : 'resolved';
    } catch (error) {
      throw new JumpgateError(
        'incidents_unavailable',
        `PagerDuty could not say whether incident #${incident.number} is still open; try again in a minute`,
        { cause: error },
      );
    }
  }
}
