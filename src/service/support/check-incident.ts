import { decideAutoApproval, type OnCallFact } from '../../domain/auto-approval.js';
import { isJumpgateError } from '../../domain/errors.js';
import type { PagerDutyAutoApprove } from '../../domain/workflow.js';
import type { ServiceDeps } from '../deps.js';
import type { Incident, PagerDutyUser } from '../ports/incidents.js';

export type IncidentCheck =
  | {
      readonly outcome: 'approved';
      readonly incident: Incident;
      readonly onCall: OnCallFact;
      readonly user: PagerDutyUser;
    }
  /** PagerDuty answered, and the rule does not hold; `reason` says which half failed. */
  | { readonly outcome: 'not_approved'; readonly reason: string }
  /** PagerDuty could not answer: fail safe, never auto-approve. */
  | { readonly outcome: 'unavailable'; readonly reason: string }
  /** No rule in the workflow, or incident checks are off (no PAGERDUTY_TOKEN). */
  | { readonly outcome: 'off' };

/**
 * Asks PagerDuty whether the requester is on call during an active incident, per the workflow's
 * rule: Slack user → email → PagerDuty user (exact email) → on-calls and incidents. Never
 * throws: an unreachable, slow, refusing or rate-limiting PagerDuty is `unavailable`.
 */
export async function checkIncident(
  deps: Pick<ServiceDeps, 'incidents' | 'directory' | 'logger'>,
  requester: string,
  rule: PagerDutyAutoApprove | undefined,
): Promise<IncidentCheck> {
  const { incidents } = deps;
  if (!incidents || !rule) return { outcome: 'off' };
  try {
    const person = await deps.directory.user(requester);
    if (!person?.email)
      return {
        outcome: 'not_approved',
        reason: 'your Slack profile shows no email, so PagerDuty cannot be asked about you',
      };
    const user = await incidents.userByEmail(person.email);
    if (!user) return { outcome: 'not_approved', reason: `no PagerDuty user has the email ${person.email}` };
    const [onCalls, active] = await Promise.all([
      incidents.onCalls(user.id, rule.escalationPolicies),
      incidents.activeIncidents(rule.services),
    ]);
    const decision = decideAutoApproval(rule, { userId: user.id, onCalls, incidents: active });
    return decision.approved
      ? { outcome: 'approved', incident: decision.incident, onCall: decision.onCall, user }
      : { outcome: 'not_approved', reason: decision.reason };
  } catch (error) {
    deps.logger.warn({ err: error, userId: requester }, 'PagerDuty could not be asked; failing safe');
    return { outcome: 'unavailable', reason: isJumpgateError(error) ? error.message : 'PagerDuty could not be asked' };
  }
}
