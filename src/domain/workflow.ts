import type { DurationMs } from './duration.js';

/**
 * A workflow is one `workflows/*.yml` file after validation: who may approve what, for how long,
 * and the breakglass and vendor rules. The YAML is snake_case; these objects are what the rest
 * of the code trusts (policy/ turns one into the other and refuses anything doubtful).
 */

/** Slack user IDs and user-group IDs; a person is in the set when listed or in a listed group. */
export interface PeopleSet {
  readonly users: readonly string[];
  readonly groups: readonly string[];
}

export interface Target {
  readonly name: string;
  readonly hosts: readonly string[];
  /** Certificate principals on the bastion. */
  readonly principals: readonly string[];
  /** When set, certificates for this target carry `source-address` (CIDR list). */
  readonly sourceAddress?: readonly string[];
  /** `retired: true`: no new requests; open ones are cancelled and active grants ended. */
  readonly retired?: boolean;
}

export interface PagerDutyAutoApprove {
  /** The requester must be on call for one of these escalation policies… */
  readonly escalationPolicies: readonly string[];
  /** …and one of these services must have a triggered or acknowledged incident. */
  readonly services: readonly string[];
  /** Auto-approved grants are capped at this duration. */
  readonly maxDuration: DurationMs;
  /** When set, only on-call at escalation level <= this counts (1 = first tier). */
  readonly maxEscalationLevel?: number;
  /** The requester must be assigned to the incident. */
  readonly requireAssigned: boolean;
  /** Revoke the grant when the justifying incident is resolved. */
  readonly endWithIncident: boolean;
}

export interface AccessPolicy {
  /** Slack channel ID where approval requests are posted. */
  readonly channel: string;
  readonly approvers: PeopleSet;
  readonly approvalsRequired: number;
  readonly allowSelfApproval: boolean;
  /** Who may request this workflow's targets; absent = anyone in the workspace. */
  readonly requesters?: PeopleSet;
  readonly defaultDuration: DurationMs;
  readonly maxDuration: DurationMs;
  readonly minDuration?: DurationMs;
  readonly requireReason: boolean;
  /** A ticket matching this pattern must appear in the reason (or the ticket field). */
  readonly ticketPattern?: string;
  /** pending → timed_out after this long. */
  readonly requestTimeout: DurationMs;
  /**
   * An approved request whose grant call finds the broker unreachable stays approved and is
   * retried for this long; past it the request fails (with a Retry button).
   */
  readonly grantRetryWindow: DurationMs;
  /** Remind approvers (and widen to escalation approvers) after this long pending. */
  readonly escalateAfter?: DurationMs;
  readonly escalationApprovers?: PeopleSet;
  readonly autoApprove?: { readonly pagerduty?: PagerDutyAutoApprove };
}

export interface BreakglassPolicy {
  readonly allowed: boolean;
  /** When true, breakglass is granted only if the PagerDuty incident check passes. */
  readonly requireIncident: boolean;
  readonly maxDuration: DurationMs;
  /** Security channel alerted on every breakglass. */
  readonly notifyChannel: string;
  /** The post-hoc review is due within this long. */
  readonly reviewWithin: DurationMs;
  /** At most this many breakglass grants per person per day. */
  readonly maxPerDay?: number;
  /** A person holds at most one breakglass per target at a time (default true). */
  readonly onePerTarget: boolean;
}

export interface VendorPolicy {
  readonly allowed: boolean;
  /** Internal people who may request on behalf of a vendor. */
  readonly sponsors: PeopleSet;
  /** Who approves vendor sessions; absent = the workflow's access approvers. */
  readonly approvers?: PeopleSet;
  readonly approvalsRequired: number;
  readonly maxDuration: DurationMs;
  /** Certificate principals for vendor sessions (instead of the target's). */
  readonly principals: readonly string[];
  /** Vendor certificates never permit port/agent/X11 forwarding; a PTY only when this is true. */
  readonly allowPty: boolean;
  /**
   * When set, vendor certificates carry `source-address` with these CIDRs instead of the
   * target's: where the vendor connects from (their VPN), not where employees do.
   */
  readonly sourceAddress?: readonly string[];
}

/**
 * How one kind of grant may be extended while it runs. `maxTotal` bounds the whole grant (the
 * first window plus every extension); while the total stays within `autoWithin` an extension
 * is granted at once, beyond it the approvers decide (absent: they always decide).
 */
export interface ExtendRules {
  readonly allowed: boolean;
  readonly maxTotal: DurationMs;
  readonly autoWithin?: DurationMs;
}

/**
 * The `extend:` section, resolved per kind: standard grants take its top-level rules;
 * breakglass grants its `breakglass:` mapping (no extension at once unless that mapping says
 * `auto_within`); vendor sessions its `vendor:` mapping (never at once, and each certificate's
 * window stays within `vendor.max_duration`).
 */
export interface ExtendPolicy {
  readonly standard: ExtendRules;
  readonly breakglass: ExtendRules;
  readonly vendor: ExtendRules;
}

export interface Workflow {
  readonly name: string;
  /** The file it was loaded from, for messages. */
  readonly file: string;
  readonly targets: readonly Target[];
  readonly access: AccessPolicy;
  readonly breakglass?: BreakglassPolicy;
  readonly vendor?: VendorPolicy;
  /** Absent: grants of this workflow cannot be extended. */
  readonly extend?: ExtendPolicy;
}

/** When and where a target was retired (recorded once, when a policy without it came into force). */
export interface Retirement {
  readonly target: string;
  readonly workflow: string;
  /** The approval channel of its last workflow: where to ask what replaces it. */
  readonly channel: string;
  /** Epoch ms. */
  readonly at: number;
}

/** All workflows, with each target resolvable by name (names are unique across files). */
export interface Policy {
  readonly workflows: readonly Workflow[];
  readonly targets: ReadonlyMap<string, { readonly workflow: Workflow; readonly target: Target }>;
  /**
   * Targets retired so far (marked `retired: true` or removed from the files), as recorded when
   * that policy came into force: a request for one is told when it was retired and where to ask.
   */
  readonly retirements: ReadonlyMap<string, Retirement>;
}

export function buildPolicy(
  workflows: readonly Workflow[],
  retirements: ReadonlyMap<string, Retirement> = new Map(),
): Policy {
  const targets = new Map<string, { workflow: Workflow; target: Target }>();
  for (const workflow of workflows) {
    for (const target of workflow.targets) targets.set(target.name, { workflow, target });
  }
  return { workflows, targets, retirements };
}
