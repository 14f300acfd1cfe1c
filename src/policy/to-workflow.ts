import { JumpgateError } from '../domain/errors.js';
import type {
  AccessPolicy,
  BreakglassPolicy,
  ExtendPolicy,
  ExtendRules,
  PagerDutyAutoApprove,
  PeopleSet,
  Target,
  VendorPolicy,
  Workflow,
} from '../domain/workflow.js';
import type { WorkflowFile } from './workflow-schema.js';
import {
  type AccessFile,
  type BreakglassFile,
  type ExtendFile,
  MINUTES_30,
  type TargetFile,
  type VendorFile,
} from './workflow-sections.js';

/**
 * Turns a validated workflow file (snake_case, as written) into the domain objects the rest of
 * the code trusts. Optional settings that were left out stay absent, never `undefined`-valued.
 */

function people(set: { readonly users?: readonly string[]; readonly groups?: readonly string[] }): PeopleSet {
  return { users: [...(set.users ?? [])], groups: [...(set.groups ?? [])] };
}

function target(file: TargetFile): Target {
  return {
    name: file.name,
    hosts: file.hosts,
    principals: file.principals,
    ...(file.source_address === undefined ? {} : { sourceAddress: file.source_address }),
    ...(file.retired ? { retired: true } : {}),
  };
}

/** 30 minutes unless that is outside [min_duration, max_duration]: a default must be requestable. */
function defaultDuration(access: AccessFile): number {
  if (access.default_duration !== undefined) return access.default_duration;
  return Math.max(access.min_duration ?? 0, Math.min(MINUTES_30, access.max_duration));
}

function pagerDuty(file: NonNullable<NonNullable<AccessFile['auto_approve']>['pagerduty']>): PagerDutyAutoApprove {
  return {
    escalationPolicies: file.escalation_policies,
    services: file.services,
    maxDuration: file.max_duration,
    ...(file.max_escalation_level === undefined ? {} : { maxEscalationLevel: file.max_escalation_level }),
    requireAssigned: file.require_assigned,
    endWithIncident: file.end_with_incident,
  };
}

function access(file: AccessFile): AccessPolicy {
  const pagerduty = file.auto_approve?.pagerduty;
  return {
    channel: file.channel,
    approvers: people(file.approvers),
    approvalsRequired: file.approvals_required,
    allowSelfApproval: file.allow_self_approval,
    ...(file.requesters === undefined ? {} : { requesters: people(file.requesters) }),
    defaultDuration: defaultDuration(file),
    maxDuration: file.max_duration,
    ...(file.min_duration === undefined ? {} : { minDuration: file.min_duration }),
    requireReason: file.require_reason,
    ...(file.ticket_pattern === undefined ? {} : { ticketPattern: file.ticket_pattern }),
    requestTimeout: file.request_timeout,
    grantRetryWindow: file.grant_retry_window,
    ...(file.escalate_after === undefined ? {} : { escalateAfter: file.escalate_after }),
    ...(file.escalation_approvers === undefined ? {} : { escalationApprovers: people(file.escalation_approvers) }),
    ...(pagerduty === undefined ? {} : { autoApprove: { pagerduty: pagerDuty(pagerduty) } }),
  };
}

/**
 * A switched-off section maps to nothing: code that reads `workflow.breakglass` then never sees
 * half a policy. The schema guarantees the required fields whenever `allowed` is true; the
 * throws only guard against the schema and this mapping drifting apart.
 */
function breakglass(file: BreakglassFile | undefined): BreakglassPolicy | undefined {
  if (file?.allowed !== true) return undefined;
  const { max_duration, notify_channel, review_within } = file;
  if (max_duration === undefined || notify_channel === undefined || review_within === undefined) {
    throw new JumpgateError(
      'workflow_invalid',
      'breakglass: allowed without max_duration, notify_channel or review_within',
    );
  }
  return {
    allowed: true,
    requireIncident: file.require_incident,
    maxDuration: max_duration,
    notifyChannel: notify_channel,
    reviewWithin: review_within,
    onePerTarget: file.one_per_target,
    ...(file.max_per_day === undefined ? {} : { maxPerDay: file.max_per_day }),
  };
}

function vendor(file: VendorFile | undefined, accessFile: AccessFile): VendorPolicy | undefined {
  if (file?.allowed !== true) return undefined;
  const { sponsors, max_duration, principals } = file;
  if (sponsors === undefined || max_duration === undefined || principals === undefined) {
    throw new JumpgateError('workflow_invalid', 'vendor: allowed without sponsors, max_duration or principals');
  }
  return {
    allowed: true,
    sponsors: people(sponsors),
    ...(file.approvers === undefined ? {} : { approvers: people(file.approvers) }),
    approvalsRequired: file.approvals_required ?? accessFile.approvals_required,
    maxDuration: max_duration,
    principals,
    allowPty: file.allow_pty,
    ...(file.source_address === undefined ? {} : { sourceAddress: file.source_address }),
  };
}

function extendRules(allowed: boolean, maxTotal: number | undefined, autoWithin: number | undefined): ExtendRules {
  if (!allowed) return { allowed: false, maxTotal: 0 };
  if (maxTotal === undefined) throw new JumpgateError('workflow_invalid', 'extend: allowed without max_total');
  return { allowed: true, maxTotal, ...(autoWithin === undefined ? {} : { autoWithin }) };
}

/** Per kind (see ExtendPolicy); nothing when no kind may be extended. */
function extend(file: ExtendFile | undefined): ExtendPolicy | undefined {
  if (file === undefined) return undefined;
  const breakglass = file.breakglass;
  const vendor = file.vendor;
  const policy: ExtendPolicy = {
    standard: extendRules(file.allowed, file.max_total, file.auto_within),
    breakglass: extendRules(
      breakglass?.allowed ?? file.allowed,
      breakglass?.max_total ?? file.max_total,
      breakglass?.auto_within,
    ),
    vendor: extendRules(vendor?.allowed ?? file.allowed, vendor?.max_total ?? file.max_total, undefined),
  };
  return policy.standard.allowed || policy.breakglass.allowed || policy.vendor.allowed ? policy : undefined;
}

/** `file` is the path the workflow was read from, kept for messages. */
export function toWorkflow(file: string, parsed: WorkflowFile): Workflow {
  const breakglassPolicy = breakglass(parsed.breakglass);
  const vendorPolicy = vendor(parsed.vendor, parsed.access);
  const extendPolicy = extend(parsed.extend);
  return {
    name: parsed.name,
    file,
    targets: parsed.targets.map(target),
    access: access(parsed.access),
    ...(breakglassPolicy === undefined ? {} : { breakglass: breakglassPolicy }),
    ...(vendorPolicy === undefined ? {} : { vendor: vendorPolicy }),
    ...(extendPolicy === undefined ? {} : { extend: extendPolicy }),
  };
}
