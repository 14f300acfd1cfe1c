/**
 * What PagerDuty says about people and incidents (src/pagerduty/ implements it with pdjs).
 * Every method throws JumpgateError `incidents_unavailable`
 * when PagerDuty is unreachable, slow, refuses the token (401) or rate-limits (429): callers
 * must then fail safe (never auto-approve).
 */
export interface PagerDutyUser {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

export interface OnCall {
  readonly escalationPolicyId: string;
  /** 1 = first tier of the escalation policy. */
  readonly level: number;
  readonly userId: string;
}

export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface Incident {
  readonly id: string;
  /** The number people say ("incident #1234"). */
  readonly number: number;
  readonly title: string;
  readonly status: IncidentStatus;
  readonly serviceId: string;
  readonly url: string;
  /** PagerDuty user ids of the assignees. */
  readonly assigneeIds: readonly string[];
}

export interface Incidents {
  /** The PagerDuty user whose email is exactly `email` (case-insensitive), or undefined. */
  userByEmail(email: string): Promise<PagerDutyUser | undefined>;
  /** The user's current on-call entries for these escalation policies (all pages). */
  onCalls(userId: string, escalationPolicyIds: readonly string[]): Promise<readonly OnCall[]>;
  /** Triggered or acknowledged incidents on these services (all pages). */
  activeIncidents(serviceIds: readonly string[]): Promise<readonly Incident[]>;
  /** One incident (any status), or undefined when PagerDuty has no such incident. */
  incident(id: string): Promise<Incident | undefined>;
  /** Adds a note to an incident, sent as the configured `From` user. */
  addNote(incidentId: string, content: string): Promise<void>;
}
