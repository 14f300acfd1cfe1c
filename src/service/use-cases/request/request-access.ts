import type { AccessRequest } from '../../../domain/access-request.js';
import { autoApprove } from '../../../domain/approve-at-once.js';
import { JumpgateError } from '../../../domain/errors.js';
import { newRequest } from '../../../domain/new-request.js';
import { checkRequest } from '../../../domain/request-rules.js';
import { findTarget } from '../../../domain/requestable-targets.js';
import type { ServiceDeps } from '../../deps.js';
import { checkIncident, type IncidentCheck } from '../../support/check-incident.js';
import { runEffects } from '../../support/effects.js';
import { incidentRef } from '../../support/incident-ref.js';
import { noteOnIncident } from '../../support/note-on-incident.js';
import { newRequestId } from '../../support/request-id.js';
import { resolveMember } from '../../support/resolve-member.js';
import { transact } from '../../support/transact.js';

export interface AccessRequestInput {
  readonly requester: string;
  readonly target: string;
  /** As typed (`30m`); absent = the workflow's default. */
  readonly duration?: string;
  readonly reason: string;
  /** From the modal's ticket field; absent = looked for in the reason. */
  readonly ticket?: string;
}

export interface RequestOutcome {
  readonly request: AccessRequest;
  /** The channel the approval message went to, or undefined when it could not be posted. */
  readonly postedTo?: string;
  /** What PagerDuty said: auto-approved, not, unavailable (failed safe), or checks off. */
  readonly incidentCheck: IncidentCheck;
}

export const NO_KEY_MESSAGE =
  'you have no SSH public key registered yet: register it with /jump key <your public key> (the one line of ~/.ssh/id_ed25519.pub), then ask again';

/**
 * `/jump request`: checks the request against the workflow and records it (pending, with its
 * `requested` audit record). When the workflow's auto-approve rule holds (PagerDuty: on call
 * during an active incident) it is approved at once (`auto_approved`), capped at the rule's
 * maximum, granted, and noted on the incident; otherwise its timeout is scheduled and the
 * approval message posted. A PagerDuty that cannot answer never approves. Throws
 * `unknown_target`, `target_not_allowed`, `invalid_duration`, `duration_over_max`,
 * `duration_under_min`, `reason_required`, `ticket_required` (see domain/) and `no_ssh_key`.
 */
export function createRequestAccess(
  deps: Pick<ServiceDeps, 'store' | 'directory' | 'scheduler' | 'notifier' | 'incidents' | 'policy' | 'now' | 'logger'>,
  issueGrant: (request: AccessRequest) => Promise<AccessRequest>,
) {
  return async function requestAccess(input: AccessRequestInput): Promise<RequestOutcome> {
    const policy = deps.policy();
    const member = await resolveMember(
      deps.directory,
      input.requester,
      policy.workflows.map((w) => w.access.requesters),
    );
    const { workflow, target } = findTarget(policy, input.target, member);
    const checked = checkRequest({
      workflow,
      target: target.name,
      kind: 'standard',
      duration: input.duration,
      reason: input.reason,
      ticket: input.ticket,
    });
    const sshPublicKey = await deps.store.getSshKey(input.requester);
    if (!sshPublicKey) throw new JumpgateError('no_ssh_key', NO_KEY_MESSAGE);
    const rule = workflow.access.autoApprove?.pagerduty;
    const incidentCheck = await checkIncident(deps, input.requester, rule);

    const now = deps.now();
    const created = newRequest({
      id: newRequestId(),
      kind: 'standard',
      workflow,
      target: target.name,
      requester: input.requester,
      sshPublicKey,
      checked,
      incidentCheck: incidentCheck.outcome,
      now,
    });
    const request = created.next;
    await deps.store.create(request, created.audit);

    if (incidentCheck.outcome === 'approved' && rule) {
      const { incident, onCall } = incidentCheck;
      const committed = await transact(deps.store, request.id, (current) =>
        autoApprove(current, {
          target,
          incident: incidentRef(incident, rule.endWithIncident),
          onCall,
          capMs: rule.maxDuration,
          now: deps.now(),
        }),
      );
      const approved = committed.request;
      // Approvers see why nobody had to click (no buttons), then the grant fills in.
      const { postedTo } = await runEffects(deps, { request: approved }, { post: true });
      const granted = await issueGrant(approved);
      if (granted.status === 'active') {
        await noteOnIncident(
          deps,
          granted,
          `auto-approved: on call for ${onCall.escalationPolicyId} at level ${onCall.level}`,
        );
      }
      return { request: granted, ...(postedTo === undefined ? {} : { postedTo }), incidentCheck };
    }

    // The timeout is what keeps a forgotten request from staying open: scheduled before any
    // message, and if scheduling fails the reconciliation sweep still times it out.
    const escalateAfter = workflow.access.escalateAfter;
    const { postedTo } = await runEffects(
      deps,
      { request },
      {
        jobs: [
          { kind: 'timeout', at: now + workflow.access.requestTimeout },
          ...(escalateAfter === undefined ? [] : [{ kind: 'escalate', at: now + escalateAfter } as const]),
        ],
        post: true,
      },
    );
    return { request, ...(postedTo === undefined ? {} : { postedTo }), incidentCheck };
  };
}
