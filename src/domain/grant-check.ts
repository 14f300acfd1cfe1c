import { type AccessRequest, currentWindow, type GrantRecord, grantIdFor } from './access-request.js';
import { approverSetFor } from './approver-set.js';
import { formatDuration } from './duration.js';
import { extendRulesFor } from './extension.js';
import { inPeopleSet, type Member } from './people.js';
import { kindLimits } from './request-kind.js';
import { canSponsor, mayRequest } from './requestable-targets.js';
import { parseSshPublicKey } from './ssh-public-key.js';
import { grantPrincipals, keyBody } from './vendor-session.js';
import type { PeopleSet, Policy, Workflow } from './workflow.js';

/*
 * The last gate before a certificate is minted. Whoever can write Redis can write any request
 * record, so the grant about to be asked for is checked again, field by field, against the policy
 * loaded now. A record the bot wrote itself passes; a forged one (or one the policy has since
 * overtaken) is refused with every way it differs, so the people who look into it see it all.
 */

/** The checks, in the order they run and their mismatches are listed. */
export const GRANT_CHECKS = [
  'record',
  'target',
  'kind',
  'grant_id',
  'principals',
  'hosts',
  'window',
  'decision',
  'requester',
  'key',
] as const;
export type GrantCheckName = (typeof GRANT_CHECKS)[number];

/** One way the planned grant differs from what the current policy gives. */
export interface GrantMismatch {
  readonly check: GrantCheckName;
  /** Plain text for the audit record and the security alert. */
  readonly message: string;
}

/** How far a grant may start after now: the clocks of two replicas may differ a little. */
export const NOT_BEFORE_SKEW_MS = 60_000;

export type GrantCheckRequest = Pick<
  AccessRequest,
  | 'id'
  | 'kind'
  | 'workflow'
  | 'target'
  | 'requester'
  | 'vendor'
  | 'sshPublicKey'
  | 'approvals'
  | 'approvalsRequired'
  | 'escalated'
  | 'autoApproval'
  | 'incident'
  | 'extensions'
>;

export interface GrantCheckInput {
  readonly request: GrantCheckRequest;
  /** The grant exactly as it will be asked of the broker. */
  readonly grant: GrantRecord;
  readonly policy: Policy;
  /** Current members of the workflow's groups (see `groupsOf`); a group missing here has nobody. */
  readonly groupMembers: ReadonlyMap<string, readonly string[]>;
  /** The requester's (the sponsor's, for a vendor session) registered SSH public key now, if any. */
  readonly registeredKey: string | undefined;
  /** Epoch milliseconds. */
  readonly now: number;
}

/**
 * Every way the planned grant differs from the current policy, in `GRANT_CHECKS` order; empty
 * when it may be issued. An unknown target (or one now under another workflow) is the only
 * mismatch listed, because nothing else can be checked without its workflow; so is a record
 * too malformed to check (a field missing or of the wrong type).
 */
export function grantMismatches(input: GrantCheckInput): GrantMismatch[] {
  try {
    return checkAll(input);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    return [{ check: 'record', message: `the stored request is malformed (${clip(why)})` }];
  }
}

function checkAll(input: GrantCheckInput): GrantMismatch[] {
  const { request, grant, policy } = input;
  const entry = policy.targets.get(request.target);
  if (!entry || entry.workflow.name !== request.workflow || entry.target.retired) {
    const where = !entry
      ? 'no workflow defines it'
      : entry.workflow.name !== request.workflow
        ? `it belongs to ${entry.workflow.name}`
        : 'it is retired';
    return [{ check: 'target', message: `target ${clip(request.target)} under ${clip(request.workflow)}: ${where}` }];
  }
  const { workflow, target } = entry;
  const found: GrantMismatch[] = [];
  const add = (check: GrantCheckName, message: string | undefined) => {
    if (message !== undefined) found.push({ check, message });
  };
  const allowed = kindAllowed(workflow, request.kind);
  const member = (userId: string) => memberOf(userId, input.groupMembers);

  add('kind', kindMismatch(workflow, request, allowed));
  if (grant.id !== grantIdFor(request.id, currentWindow(request))) {
    add('grant_id', `grant id ${clip(grant.id)} is not the one derived from ${request.id}`);
  }
  add('principals', sameSet('principals', grant.principals, grantPrincipals(workflow, target, request.kind)));
  add('hosts', sameSet('hosts', grant.hosts, target.hosts));
  const extended = (request.extensions?.length ?? 0) > 0;
  const max = !allowed
    ? undefined
    : extended
      ? extendRulesFor(workflow, request.kind)?.maxTotal
      : maxWindow(workflow, request);
  if (allowed && extended && max === undefined) {
    add('window', `${workflow.name} does not let ${request.kind} grants be extended`);
  }
  for (const message of windowMismatches(grant, max, input.now)) add('window', message);
  if (allowed && extended)
    for (const message of extensionMismatches(workflow, request, grant, member, input.now)) add('window', message);
  if (allowed) for (const message of decisionMismatches(workflow, request, member)) add('decision', message);
  if (request.kind === 'vendor') {
    if (allowed && !canSponsor(workflow, member(request.requester))) {
      add('requester', `${clip(request.requester)} is not a vendor sponsor of ${workflow.name}`);
    }
  } else if (!mayRequest(workflow, member(request.requester))) {
    add('requester', `${clip(request.requester)} may not request the targets of ${workflow.name}`);
  }
  // A vendor session carries the key its sponsor gave for the vendor (vendors register no key
  // of their own): it must be a key we accept, and never the sponsor's own.
  add(
    'key',
    request.kind === 'vendor'
      ? vendorKeyMismatch(request, input.registeredKey)
      : keyMismatch(request, input.registeredKey),
  );
  return found;
}

/** Every user group a check of `workflow` may look into, each once. */
export function groupsOf(workflow: Workflow): string[] {
  const sets: (PeopleSet | undefined)[] = [
    workflow.access.approvers,
    workflow.access.escalationApprovers,
    workflow.access.requesters,
    workflow.vendor?.approvers,
    workflow.vendor?.sponsors,
  ];
  return [...new Set(sets.flatMap((set) => set?.groups ?? []))];
}

/** Where security-relevant alerts about `workflow` go: its breakglass channel, else its approval channel. */
export function securityChannelOf(workflow: Workflow): string {
  return workflow.breakglass?.notifyChannel ?? workflow.access.channel;
}

function kindAllowed(workflow: Workflow, kind: AccessRequest['kind']): boolean {
  if (kind === 'breakglass') return workflow.breakglass?.allowed === true;
  if (kind === 'vendor') return workflow.vendor?.allowed === true;
  return true;
}

function kindMismatch(workflow: Workflow, request: GrantCheckRequest, allowed: boolean): string | undefined {
  const what = request.kind === 'vendor' ? 'vendor sessions' : 'breakglass';
  if (!allowed) return `${workflow.name} does not allow ${what}`;
  if (request.kind === 'vendor' && !request.vendor) return 'a vendor session that names no vendor';
  if (request.kind !== 'vendor' && request.vendor) {
    return `a ${request.kind} request that names a vendor (${clip(request.vendor.email)})`;
  }
  return undefined;
}

/** The same rule the request was made under: the kind's maximum, and an auto-approval's cap on top. */
function maxWindow(workflow: Workflow, request: GrantCheckRequest): number {
  const { maxDuration } = kindLimits(workflow, request.kind, request.target);
  const auto = request.autoApproval ? workflow.access.autoApprove?.pagerduty : undefined;
  return auto ? Math.min(maxDuration, auto.maxDuration) : maxDuration;
}

function windowMismatches(grant: GrantRecord, max: number | undefined, now: number): string[] {
  const found: string[] = [];
  const length = grant.notAfter - grant.notBefore;
  if (!Number.isSafeInteger(length) || length <= 0) found.push('the window is empty or inverted');
  else if (max !== undefined && length > max) {
    found.push(`a window of ${formatDuration(length)} is longer than the maximum (${formatDuration(max)})`);
  }
  if (grant.notBefore > now + NOT_BEFORE_SKEW_MS) {
    found.push(`the window starts in the future (${iso(grant.notBefore)})`);
  }
  if (grant.notAfter <= now) found.push(`the window already ended (${iso(grant.notAfter)})`);
  return found;
}

function decisionMismatches(
  workflow: Workflow,
  request: GrantCheckRequest,
  member: (userId: string) => Member,
): string[] {
  if (request.autoApproval) return autoApprovalMismatches(workflow, request);
  if (request.kind === 'breakglass') {
    const needsIncident = workflow.breakglass?.requireIncident === true && !request.incident;
    return needsIncident ? [`breakglass on ${workflow.name} needs an incident, and none is recorded`] : [];
  }
  const { set, approvalsRequired, allowSelfApproval } = approverSetFor(
    workflow,
    request.kind,
    request.escalated === true,
  );
  // The record's own number can only raise the bar: a forged 0 must not lower it.
  const required = Math.max(approvalsRequired, request.approvalsRequired);
  const found: string[] = [];
  const eligible = new Set<string>();
  for (const userId of new Set(request.approvals.map((approval) => approval.userId))) {
    if (userId === request.requester && !allowSelfApproval) {
      found.push(`${clip(userId)} approved their own ${request.kind === 'vendor' ? 'vendor session' : 'request'}`);
    } else if (!inPeopleSet(set, member(userId))) {
      found.push(`${clip(userId)} is not an eligible approver`);
    } else eligible.add(userId);
  }
  if (eligible.size < required) {
    found.push(`${required} distinct eligible approvals are needed, ${eligible.size} recorded`);
  }
  return found;
}

/**
 * An extended grant: each extension continues the one before it, the last ends the grant, and
 * each was decided the way the extend rules allow (at once within auto_within or while the
 * grant's incident was open, else by enough eligible approvers).
 */
function extensionMismatches(
  workflow: Workflow,
  request: GrantCheckRequest,
  grant: GrantRecord,
  member: (userId: string) => Member,
  now: number,
): string[] {
  const rules = extendRulesFor(workflow, request.kind);
  const extensions = request.extensions ?? [];
  const found: string[] = [];
  let end: number | undefined;
  extensions.forEach((extension, index) => {
    const what = `extension ${index + 1}`;
    if (extension.window !== index + 2) found.push(`${what} names window ${extension.window}, not ${index + 2}`);
    if (end !== undefined && extension.fromNotAfter !== end) found.push(`${what} does not continue the one before it`);
    if (extension.toNotAfter - extension.fromNotAfter !== extension.addedMs || extension.addedMs <= 0) {
      found.push(`${what} adds ${formatDuration(extension.addedMs)} but moves the end by another amount`);
    }
    end = extension.toNotAfter;
    const total = extension.toNotAfter - grant.notBefore;
    if (extension.how === 'auto') {
      const within = request.kind === 'vendor' ? undefined : rules?.autoWithin;
      if (within === undefined || total > within) found.push(`${what} was granted at once beyond auto_within`);
    } else if (extension.how === 'incident') {
      if (!request.incident?.endWithIncident)
        found.push(`${what} was granted for an incident the grant does not end with`);
    } else {
      const { set, approvalsRequired } = approverSetFor(workflow, request.kind, false);
      const eligible = new Set<string>();
      for (const userId of new Set(extension.approvals.map((approval) => approval.userId))) {
        const self = userId === request.requester && !workflow.access.allowSelfApproval;
        if (!self && inPeopleSet(set, member(userId))) eligible.add(userId);
        else found.push(`${clip(userId)} may not approve ${what}`);
      }
      if (eligible.size < approvalsRequired) {
        found.push(`${what} needs ${approvalsRequired} distinct eligible approvals, ${eligible.size} recorded`);
      }
    }
  });
  if (end !== undefined && end !== grant.notAfter) found.push('the last extension does not end the grant');
  const vendorMax = request.kind === 'vendor' ? workflow.vendor?.maxDuration : undefined;
  if (vendorMax !== undefined && grant.notAfter - now > vendorMax + NOT_BEFORE_SKEW_MS) {
    found.push(`a vendor certificate would run longer than ${formatDuration(vendorMax)} from now`);
  }
  return found;
}

function autoApprovalMismatches(workflow: Workflow, request: GrantCheckRequest): string[] {
  const rule = workflow.access.autoApprove?.pagerduty;
  if (request.kind !== 'standard') return [`a ${request.kind} request cannot be auto-approved`];
  if (!rule) return [`${workflow.name} has no auto-approval rule`];
  const auto = request.autoApproval!;
  const found: string[] = [];
  if (!rule.escalationPolicies.includes(auto.escalationPolicyId)) {
    found.push(`auto-approval by ${clip(auto.escalationPolicyId)}, not one of ${shown(rule.escalationPolicies)}`);
  }
  if (rule.maxEscalationLevel !== undefined && auto.level > rule.maxEscalationLevel) {
    found.push(`auto-approval at escalation level ${auto.level}, above ${rule.maxEscalationLevel}`);
  }
  if (!request.incident) found.push('auto-approval without an incident');
  else if (!rule.services.includes(request.incident.serviceId)) {
    const service = clip(request.incident.serviceId);
    found.push(`auto-approval for an incident on ${service}, not one of ${shown(rule.services)}`);
  }
  return found;
}

function keyMismatch(request: GrantCheckRequest, registered: string | undefined): string | undefined {
  if (registered === undefined) return `${clip(request.requester)} has no registered SSH key`;
  if (keyBody(registered) === keyBody(request.sshPublicKey)) return undefined;
  return `the SSH key is not the one ${clip(request.requester)} registered`;
}

function vendorKeyMismatch(request: GrantCheckRequest, sponsorKey: string | undefined): string | undefined {
  try {
    parseSshPublicKey(request.sshPublicKey);
  } catch (error) {
    return `the vendor's SSH key is not one we accept (${clip(error instanceof Error ? error.message : String(error))})`;
  }
  if (sponsorKey !== undefined && keyBody(sponsorKey) === keyBody(request.sshPublicKey)) {
    return `the vendor's SSH key is the sponsor ${clip(request.requester)}'s own registered key`;
  }
  return undefined;
}

function memberOf(userId: string, groupMembers: ReadonlyMap<string, readonly string[]>): Member {
  const groups = new Set<string>();
  for (const [group, members] of groupMembers) if (members.includes(userId)) groups.add(group);
  return { userId, groups };
}

function sameSet(what: string, planned: readonly string[], expected: readonly string[]): string | undefined {
  const want = new Set(expected);
  const same =
    planned.length === want.size && new Set(planned).size === want.size && planned.every((value) => want.has(value));
  return same ? undefined : `${what} ${shown(planned)}, where the policy gives ${shown(expected)}`;
}

// A forged record can hold anything: long lists and long values are cut before they reach a message.
const MAX_SHOWN = 5;
const MAX_VALUE = 64;

function shown(values: readonly string[]): string {
  const more = values.length > MAX_SHOWN ? ` (+${values.length - MAX_SHOWN} more)` : '';
  return `[${values.slice(0, MAX_SHOWN).map(clip).join(', ')}]${more}`;
}

function iso(epochMs: number): string {
  const date = new Date(epochMs);
  return Number.isNaN(date.getTime()) ? String(epochMs) : date.toISOString();
}

function clip(value: string): string {
  const text = String(value);
  return text.length > MAX_VALUE ? `${text.slice(0, MAX_VALUE)}…` : text;
}
