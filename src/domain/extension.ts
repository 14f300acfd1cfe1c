import { type AccessRequest, currentWindow, grantIdFor } from './access-request.js';
import { approverSetFor } from './approver-set.js';
import { type DurationMs, formatDuration } from './duration.js';
import { JumpgateError } from './errors.js';
import type { ExtendRules, PeopleSet, Workflow } from './workflow.js';

/*
 * Extending a running grant. The holder asks for more time; the workflow's `extend:` rules for
 * the grant's kind say whether it may be extended at all, how long the whole grant may last
 * (`max_total`), and up to which total an extension is granted at once (`auto_within`); beyond
 * it the approvers decide. A grant that ends with its incident is extended at once while the
 * incident is open, and never after.
 */

/** The extensions the Extend buttons offer, when the workflow allows them. */
export const EXTEND_STEPS: readonly DurationMs[] = [30 * 60_000, 60 * 60_000];

/** The extend rules for `kind` under `workflow`, or undefined when that kind cannot be extended. */
export function extendRulesFor(workflow: Workflow, kind: AccessRequest['kind']): ExtendRules | undefined {
  const rules = workflow.extend?.[kind];
  if (!rules?.allowed) return undefined;
  if (kind === 'vendor' && !workflow.vendor?.allowed) return undefined;
  if (kind === 'breakglass' && !workflow.breakglass?.allowed) return undefined;
  return rules;
}

/** Whether the incident a grant ends with is open: undefined when the grant does not end with one. */
export type IncidentState = 'open' | 'resolved' | undefined;

export interface ExtensionInput {
  readonly request: AccessRequest;
  readonly workflow: Workflow;
  /** Slack user ID of the person asking. */
  readonly userId: string;
  /** The grant id the person named (a button's, or what they typed). */
  readonly grantId: string;
  readonly addedMs: DurationMs;
  /** For a grant that ends with its incident: the incident's state now. */
  readonly incident: IncidentState;
  /** Epoch ms. */
  readonly now: number;
}

/** What the extension would make of the grant. */
export interface PlannedExtension {
  /** The new window's number and grant id. */
  readonly window: number;
  readonly grantId: string;
  readonly fromNotAfter: number;
  readonly toNotAfter: number;
  readonly addedMs: DurationMs;
}

export type ExtensionDecision =
  /** Granted at once: within auto_within, or the grant's incident is open. */
  | (PlannedExtension & { readonly outcome: 'at_once'; readonly how: 'auto' | 'incident' })
  /** The approvers decide: these people, this many of them. */
  | (PlannedExtension & {
      readonly outcome: 'approval';
      readonly approvers: PeopleSet;
      readonly approvalsRequired: number;
    });

/**
 * Decides an extension of a running grant. Throws, in this order:
 * - `forbidden` when the person does not hold the grant (only its holder extends it);
 * - `request_decided` when the grant is not active or its window is over;
 * - `already_extended` when the named grant id is not the current window's (the grant was
 *   extended since; the message names the current id and end);
 * - `extend_not_allowed` when the workflow does not let this kind of grant be extended;
 * - `extension_pending` when an extension already waits for the approvers;
 * - `incident_resolved` when the grant ends with its incident and the incident is resolved;
 * - `extension_over_max` when the whole grant would last longer than `max_total` (the
 *   message says what is allowed and what is used: "at most 4h in all; 3h30m used");
 * - `duration_over_max` for a vendor session whose new certificate would run longer than
 *   `vendor.max_duration` from now.
 * Then: at once when the grant's incident is open or the total stays within `auto_within`,
 * otherwise the approvers of the grant's kind decide.
 */
export function decideExtension(input: ExtensionInput): ExtensionDecision {
  const { request, workflow, userId, addedMs, now } = input;
  const name = input.grantId;
  if (request.requester !== userId) {
    throw new JumpgateError('forbidden', `only the holder of ${name} can extend it`, { details: { id: name } });
  }
  const grant = request.grant;
  if (request.status !== 'active' || !grant || grant.notAfter <= now) {
    throw new JumpgateError('request_decided', `${name} is not active any more; nothing to extend`, {
      details: { status: request.status },
    });
  }
  if (grant.id !== name) {
    throw new JumpgateError(
      'already_extended',
      `${name} was extended already: the grant is ${grant.id} now and ends at ${iso(grant.notAfter)}; ` +
        `to extend it again: /jump extend ${grant.id} <duration>`,
      { details: { id: name, current: grant.id, notAfter: grant.notAfter } },
    );
  }
  const rules = extendRulesFor(workflow, request.kind);
  if (!rules) {
    throw new JumpgateError(
      'extend_not_allowed',
      `${kindWords(request.kind)} on ${request.target} cannot be extended; request access again instead`,
      { details: { target: request.target, kind: request.kind } },
    );
  }
  if (request.extensionRequest) {
    const asked = formatDuration(request.extensionRequest.addedMs);
    throw new JumpgateError(
      'extension_pending',
      `an extension of ${grant.id} (+${asked}) is already waiting for the approvers`,
      { details: { window: request.extensionRequest.window } },
    );
  }
  const endsWithIncident = request.incident?.endWithIncident === true;
  if (endsWithIncident && input.incident === 'resolved') {
    throw new JumpgateError(
      'incident_resolved',
      `${grant.id} ends with incident #${request.incident?.number}, which is resolved: it is not extended after its incident`,
      { details: { incident: request.incident?.id } },
    );
  }
  const used = grant.notAfter - grant.notBefore;
  const total = used + addedMs;
  if (total > rules.maxTotal) {
    const left = Math.max(0, rules.maxTotal - used);
    throw new JumpgateError(
      'extension_over_max',
      `${grant.id} can last at most ${formatDuration(rules.maxTotal)} in all; ${formatDuration(used)} used` +
        (left >= 1_000 ? `, so it can be extended by at most ${formatDuration(left)}` : ', so it cannot be extended'),
      { details: { maxTotalMs: rules.maxTotal, usedMs: used, leftMs: left } },
    );
  }
  const toNotAfter = grant.notAfter + addedMs;
  if (request.kind === 'vendor' && workflow.vendor && toNotAfter - now > workflow.vendor.maxDuration) {
    const max = workflow.vendor.maxDuration;
    throw new JumpgateError(
      'duration_over_max',
      `a vendor certificate may run at most ${formatDuration(max)} (vendor.max_duration); ` +
        `+${formatDuration(addedMs)} would make it ${formatDuration(toNotAfter - now)} from now`,
      { details: { maxMs: max } },
    );
  }
  const window = currentWindow(request) + 1;
  const planned: PlannedExtension = {
    window,
    grantId: grantIdFor(request.id, window),
    fromNotAfter: grant.notAfter,
    toNotAfter,
    addedMs,
  };
  if (endsWithIncident && input.incident === 'open') return { ...planned, outcome: 'at_once', how: 'incident' };
  if (request.kind !== 'vendor' && rules.autoWithin !== undefined && total <= rules.autoWithin) {
    return { ...planned, outcome: 'at_once', how: 'auto' };
  }
  const { set, approvalsRequired } = approverSetFor(workflow, request.kind, false);
  return { ...planned, outcome: 'approval', approvers: set, approvalsRequired };
}

/** One Extend button: how much it adds, and whether it is granted at once or asks the approvers. */
export interface ExtendChoice {
  readonly addedMs: DurationMs;
  readonly atOnce: boolean;
}

/**
 * The Extend buttons a grant's holder is offered now (of `EXTEND_STEPS`, only those the workflow
 * allows); empty when none is. The incident state is not known when rendering: a grant that
 * ends with its incident is offered its steps, and the click is decided with the incident.
 */
export function extendChoices(
  request: AccessRequest,
  workflow: Workflow,
  now: number,
  steps: readonly DurationMs[] = EXTEND_STEPS,
): ExtendChoice[] {
  const grant = request.grant;
  if (!grant) return [];
  const choices: ExtendChoice[] = [];
  for (const addedMs of steps) {
    try {
      const decision = decideExtension({
        request,
        workflow,
        userId: request.requester,
        grantId: grant.id,
        addedMs,
        incident: request.incident?.endWithIncident ? 'open' : undefined,
        now,
      });
      choices.push({ addedMs, atOnce: decision.outcome === 'at_once' });
    } catch {
      // Not allowed for this step: no button for it.
    }
  }
  return choices;
}

/** True while an extension of an active grant waits for the approvers. */
export function awaitsExtension(request: Pick<AccessRequest, 'status' | 'extensionRequest'>): boolean {
  return request.status === 'active' && request.extensionRequest !== undefined;
}

function kindWords(kind: AccessRequest['kind']): string {
  if (kind === 'breakglass') return 'breakglass grants';
  if (kind === 'vendor') return 'vendor sessions';
  return 'grants';
}

function iso(epochMs: number): string {
  return new Date(epochMs).toISOString();
}
