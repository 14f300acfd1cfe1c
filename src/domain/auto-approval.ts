import type { PagerDutyAutoApprove } from './workflow.js';

/** What PagerDuty said, reduced to what the rule needs. */
export interface OnCallFact {
  readonly escalationPolicyId: string;
  readonly level: number;
}

export interface IncidentFact {
  readonly id: string;
  readonly number: number;
  readonly serviceId: string;
  readonly assigneeIds: readonly string[];
}

export type AutoApprovalDecision<I extends IncidentFact = IncidentFact> =
  | { readonly approved: true; readonly onCall: OnCallFact; readonly incident: I }
  | { readonly approved: false; readonly reason: string };

/**
 * The workflow's auto-approve rule: the requester is on call for one of its escalation policies
 * (at a level no higher than `maxEscalationLevel` when set) AND one of its services has a
 * triggered or acknowledged incident (assigned to the requester when `requireAssigned`). The
 * reason of a refusal says which half failed, in words the requester reads.
 */
export function decideAutoApproval<I extends IncidentFact>(
  rule: PagerDutyAutoApprove,
  facts: { readonly userId: string; readonly onCalls: readonly OnCallFact[]; readonly incidents: readonly I[] },
): AutoApprovalDecision<I> {
  const policies = new Set(rule.escalationPolicies);
  const onPolicy = facts.onCalls
    .filter((entry) => policies.has(entry.escalationPolicyId))
    .sort((a, b) => a.level - b.level);
  if (onPolicy.length === 0) {
    return { approved: false, reason: `you are not on call for ${rule.escalationPolicies.join(' or ')}` };
  }
  const max = rule.maxEscalationLevel;
  const onCall = onPolicy.find((entry) => max === undefined || entry.level <= max);
  if (!onCall) {
    return {
      approved: false,
      reason: `you are on call at escalation level ${onPolicy[0]!.level}; this workflow counts levels up to ${max}`,
    };
  }
  const services = new Set(rule.services);
  const active = facts.incidents
    .filter((incident) => services.has(incident.serviceId))
    .sort((a, b) => a.number - b.number);
  if (active.length === 0) {
    return { approved: false, reason: `no triggered or acknowledged incident on ${rule.services.join(', ')}` };
  }
  const incident = rule.requireAssigned ? active.find((i) => i.assigneeIds.includes(facts.userId)) : active[0];
  if (!incident) {
    return {
      approved: false,
      reason: `you are not assigned to ${active.map((i) => `incident #${i.number}`).join(', ')}`,
    };
  }
  return { approved: true, onCall, incident };
}
