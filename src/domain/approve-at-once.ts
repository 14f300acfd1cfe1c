import {
  type AccessRequest,
  type AutoApprovalRecord,
  grantIdFor,
  type IncidentRef,
  type ReviewRecord,
} from './access-request.js';
import { assertPending } from './approval.js';
import { SYSTEM_ACTOR } from './audit-entry.js';
import type { OnCallFact } from './auto-approval.js';
import { grantWindow } from './grant-window.js';
import { auditOf, type RequestChange } from './request-change.js';
import { autoApproveDuration } from './request-rules.js';
import { assertTransition } from './request-status.js';
import type { Target } from './workflow.js';

/** What an approval without a click may set besides the status and the grant window. */
interface AtOnceFields {
  readonly durationMs?: number;
  readonly incident?: IncidentRef;
  readonly autoApproval?: AutoApprovalRecord;
  readonly review?: ReviewRecord;
}

/**
 * pending → approved because the workflow's auto-approve rule held (on call during an incident):
 * capped at the rule's maximum, silently. Throws `request_decided` when no longer pending.
 */
export function autoApprove(
  request: AccessRequest,
  input: {
    readonly target: Target;
    readonly incident: IncidentRef;
    readonly onCall: OnCallFact;
    readonly capMs: number;
    readonly now: number;
  },
): RequestChange {
  const { incident, onCall } = input;
  const requestedMs = request.durationMs;
  const durationMs = autoApproveDuration(requestedMs, input.capMs);
  const autoApproval: AutoApprovalRecord = {
    escalationPolicyId: onCall.escalationPolicyId,
    level: onCall.level,
    ...(durationMs < requestedMs ? { requestedMs } : {}),
  };
  const detail = {
    escalationPolicy: onCall.escalationPolicyId,
    level: onCall.level,
    incident: incident.id,
    incidentNumber: incident.number,
    durationMs,
    requestedMs,
  };
  return approveAtOnce(
    request,
    input.target,
    input.now,
    { durationMs, incident, autoApproval },
    'auto_approved',
    SYSTEM_ACTOR,
    detail,
  );
}

/**
 * pending → approved for a breakglass: granted at once, reviewed within `reviewWithinMs`, and
 * justified by the incident when PagerDuty showed one. Throws `request_decided` when no longer
 * pending.
 */
export function approveBreakglass(
  request: AccessRequest,
  input: {
    readonly target: Target;
    readonly reviewWithinMs: number;
    readonly incident?: IncidentRef;
    readonly now: number;
  },
): RequestChange {
  const { incident, now } = input;
  const dueAt = now + input.reviewWithinMs;
  const detail = {
    durationMs: request.durationMs,
    reviewDueAt: dueAt,
    ...(incident ? { incident: incident.id, incidentNumber: incident.number } : {}),
  };
  return approveAtOnce(
    request,
    input.target,
    now,
    { review: { dueAt }, ...(incident ? { incident } : {}) },
    'breakglass',
    request.requester,
    detail,
  );
}

function approveAtOnce(
  request: AccessRequest,
  target: Target,
  now: number,
  fields: AtOnceFields,
  type: 'auto_approved' | 'breakglass',
  actor: string,
  detail: Record<string, unknown>,
): RequestChange {
  assertPending(request.status);
  assertTransition(request.status, 'approved');
  const durationMs = fields.durationMs ?? request.durationMs;
  const grantId = grantIdFor(request.id);
  const grant = { id: grantId, ...grantWindow(now, durationMs), principals: target.principals, hosts: target.hosts };
  return {
    next: { ...request, ...fields, status: 'approved', updatedAt: now, durationMs, grant },
    audit: auditOf(request, type, actor, detail, grantId),
  };
}
