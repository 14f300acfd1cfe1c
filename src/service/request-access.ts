import type { AccessRequest } from '../domain/access-request.js';
import { autoApproveDuration } from '../domain/request-rules.js';
import { approverSetFor } from '../domain/approver-set.js';
import { JumpgateError } from '../domain/errors.js';
import { checkRequest } from '../domain/request-rules.js';
import { checkIncident, type IncidentCheck } from './check-incident.js';
import { SYSTEM_ACTOR } from './deps.js';
import { noteOnIncident } from './note-on-incident.js';
import { approveAtOnce } from './approve-at-once.js';
import { incidentRef } from './incident-ref.js';
import { findTarget } from '../domain/requestable-targets.js';
import type { ServiceDeps } from './deps.js';
import { notifySafely } from './notify-safely.js';
import { newRequestId } from './request-id.js';
import { resolveMember } from './resolve-member.js';

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
  issueGrant: (requestId: string) => Promise<AccessRequest | undefined>,
) {
  return async function requestAccess(input: AccessRequestInput): Promise<RequestOutcome> {
    const policy = deps.policy();
    const member = await resolveMember(deps.directory, input.requester, policy.workflows.map((w) => w.access.requesters));
    const { workflow, target } = findTarget(policy, input.target, member);
    const checked = checkRequest({ workflow, target: target.name, kind: 'standard', duration: input.duration, reason: input.reason, ticket: input.ticket });
    const sshPublicKey = await deps.store.getSshKey(input.requester);
    if (!sshPublicKey) throw new JumpgateError('no_ssh_key', NO_KEY_MESSAGE);
    const rule = workflow.access.autoApprove?.pagerduty;
    const incidentCheck = await checkIncident(deps, input.requester, rule);

    const now = deps.now();
    const { approvalsRequired } = approverSetFor(workflow, 'standard', false);
    const request: AccessRequest = {
      id: newRequestId(),
      kind: 'standard',
      status: 'pending',
      workflow: workflow.name,
      target: target.name,
      requester: input.requester,
      sshPublicKey,
      durationMs: checked.durationMs,
      reason: checked.reason,
      ...(checked.ticket === undefined ? {} : { ticket: checked.ticket }),
      createdAt: now,
      updatedAt: now,
      approvalsRequired,
      approvals: [],
      version: 1,
    };
    await deps.store.create(request, {
      type: 'requested',
      requestId: request.id,
      actor: input.requester,
      target: target.name,
      detail: { kind: 'standard', durationMs: request.durationMs, reason: request.reason, ticket: request.ticket, approvalsRequired, workflow: workflow.name, incidentCheck: incidentCheck.outcome },
    });
    const logger = deps.logger.child({ requestId: request.id });

    if (incidentCheck.outcome === 'approved' && rule) {
      const { incident, onCall } = incidentCheck;
      const durationMs = autoApproveDuration(request.durationMs, rule.maxDuration);
      const approved =
        (await approveAtOnce(deps, request.id, target, (current) => ({
          fields: {
            durationMs,
            incident: incidentRef(incident, rule.endWithIncident),
            autoApproval: { escalationPolicyId: onCall.escalationPolicyId, level: onCall.level, ...(durationMs < current.durationMs ? { requestedMs: current.durationMs } : {}) },
          },
          audit: {
            type: 'auto_approved',
            actor: SYSTEM_ACTOR,
            detail: { escalationPolicy: onCall.escalationPolicyId, level: onCall.level, incident: incident.id, incidentNumber: incident.number, durationMs, requestedMs: current.durationMs },
          },
        }))) ?? request;
      // Approvers see why nobody had to click (no buttons), then the grant fills in.
      let postedTo: string | undefined;
      await notifySafely(logger, 'the auto-approval message', async () => {
        const ref = await deps.notifier.postApprovalMessage({ request: approved, workflow, target });
        await deps.store.setMessage(request.id, ref);
        postedTo = ref.channel;
      });
      const granted = (await issueGrant(request.id)) ?? approved;
      if (granted.status === 'active') {
        await noteOnIncident(deps, granted, `auto-approved: on call for ${onCall.escalationPolicyId} at level ${onCall.level}`);
      }
      return { request: granted, postedTo, incidentCheck };
    }

    // The timeout is what keeps a forgotten request from staying open: schedule it before any
    // message, and if scheduling fails the reconciliation sweep still times it out.
    await deps.scheduler.timeoutAt(request.id, now + workflow.access.requestTimeout).catch((error: unknown) =>
      logger.error({ err: error }, 'could not schedule the request timeout; reconciliation will time it out'),
    );
    if (workflow.access.escalateAfter !== undefined) {
      await deps.scheduler.escalateAt(request.id, now + workflow.access.escalateAfter).catch((error: unknown) =>
        logger.warn({ err: error }, 'could not schedule the escalation; reconciliation will escalate'),
      );
    }

    let postedTo: string | undefined;
    await notifySafely(logger, 'the approval message', async () => {
      const ref = await deps.notifier.postApprovalMessage({ request, workflow, target });
      await deps.store.setMessage(request.id, ref);
      postedTo = ref.channel;
    });
    return { request, postedTo, incidentCheck };
  };
}
