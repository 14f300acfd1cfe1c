import type { AccessRequest } from '../../../domain/access-request.js';
import { isJumpgateError } from '../../../domain/errors.js';
import { newRequest } from '../../../domain/new-request.js';
import { type CheckedRequest, checkRequest } from '../../../domain/request-rules.js';
import type { RequestableTarget } from '../../../domain/requestable-targets.js';
import {
  checkVendorDetails,
  checkVendorEmail,
  findVendorTarget,
  type VendorDetails,
} from '../../../domain/vendor-session.js';
import type { ServiceDeps } from '../../deps.js';
import { runEffects } from '../../support/effects.js';
import { newRequestId } from '../../support/request-id.js';
import { resolveMember } from '../../support/resolve-member.js';

/** What `/jump vendor` gives: enough to check the sponsor, target and duration before the modal opens. */
export interface VendorCommandInput {
  /** Slack user ID of the sponsor. */
  readonly sponsor: string;
  readonly vendorEmail: string;
  readonly target: string;
  /** As typed (`1h`). */
  readonly duration: string;
  readonly reason: string;
}

/** What the modal adds: who the vendor is and the key the certificate is for. */
export interface VendorSessionInput extends VendorCommandInput {
  readonly vendorName: string;
  readonly sshPublicKey: string;
  /** From the modal's ticket field; absent = looked for in the reason. */
  readonly ticket?: string;
}

/** What a vendor session on the target would be: shown in the modal before the sponsor says who the vendor is. */
export interface VendorPlan {
  readonly vendorEmail: string;
  readonly target: string;
  readonly workflow: string;
  readonly durationMs: number;
  readonly maxDurationMs: number;
  readonly reason: string;
  /** The certificate's principals (the workflow's vendor principals). */
  readonly principals: readonly string[];
  readonly allowPty: boolean;
  readonly approvalsRequired: number;
  /** Set when the workflow needs a ticket and the reason holds none: the modal must ask for it. */
  readonly ticketPattern?: string;
}

type Deps = Pick<ServiceDeps, 'store' | 'directory' | 'scheduler' | 'notifier' | 'policy' | 'now' | 'logger'>;

/**
 * `/jump vendor`: an internal sponsor asks for a time-bound session for a vendor. `checkVendorSession`
 * runs when the command is typed (before the modal opens); `checkVendorDetails` and
 * `requestVendorSession` when the modal is submitted. A vendor session is never auto-approved and
 * never breakglass: it waits for `vendor.approvals_required` distinct vendor approvers, never the
 * sponsor. Throws `invalid_email`, `unknown_target`, `vendor_not_allowed`, `not_a_sponsor`, the
 * request rules' errors (`duration_over_max` with the vendor maximum, `reason_required`,
 * `ticket_required`, …), `vendor_name_required` and `invalid_ssh_key` (a private key, a weak
 * key, or the sponsor's own registered key).
 */
export function createVendorSession(deps: Deps) {
  async function sponsorTarget(input: VendorCommandInput): Promise<{ email: string; chosen: RequestableTarget }> {
    const email = checkVendorEmail(input.vendorEmail);
    const policy = deps.policy();
    const member = await resolveMember(
      deps.directory,
      input.sponsor,
      policy.workflows.map((w) => w.vendor?.sponsors),
    );
    return { email, chosen: findVendorTarget(policy, input.target, member) };
  }

  function checked(chosen: RequestableTarget, input: VendorCommandInput, ticket?: string): CheckedRequest {
    return checkRequest({
      workflow: chosen.workflow,
      target: chosen.target.name,
      kind: 'vendor',
      duration: input.duration,
      reason: input.reason,
      ...(ticket === undefined ? {} : { ticket }),
    });
  }

  /** `ticket`: what the modal's ticket field holds, when it is submitted; the plan then asks for one only if it does not match. */
  async function checkVendorSession(input: VendorCommandInput & { readonly ticket?: string }): Promise<VendorPlan> {
    const { email, chosen } = await sponsorTarget(input);
    const { workflow, target } = chosen;
    const vendor = workflow.vendor!;
    // A missing ticket is asked for in the modal; everything else is refused now.
    const { ticketPattern, ...withoutTicket } = workflow.access;
    const request = checked({ workflow: { ...workflow, access: withoutTicket }, target }, input);
    const needsTicket = ticketPattern !== undefined && !hasTicket(() => checked(chosen, input, input.ticket));
    return {
      vendorEmail: email,
      target: target.name,
      workflow: workflow.name,
      durationMs: request.durationMs,
      maxDurationMs: vendor.maxDuration,
      reason: request.reason,
      principals: vendor.principals,
      allowPty: vendor.allowPty,
      approvalsRequired: vendor.approvalsRequired,
      ...(needsTicket ? { ticketPattern } : {}),
    };
  }

  /** The modal's own fields, checked the way the request will check them (the sponsor's key included). */
  async function checkDetails(input: {
    sponsor: string;
    vendorName: string;
    sshPublicKey: string;
  }): Promise<VendorDetails> {
    const sponsorKey = await deps.store.getSshKey(input.sponsor);
    return checkVendorDetails({ name: input.vendorName, sshPublicKey: input.sshPublicKey, sponsorKey });
  }

  async function requestVendorSession(
    input: VendorSessionInput,
  ): Promise<{ request: AccessRequest; postedTo?: string }> {
    const { email, chosen } = await sponsorTarget(input);
    const { workflow, target } = chosen;
    const request = checked(chosen, input, input.ticket);
    const details = await checkDetails(input);
    const now = deps.now();
    const created = newRequest({
      id: newRequestId(),
      kind: 'vendor',
      vendor: { email, name: details.name },
      workflow,
      target: target.name,
      requester: input.sponsor,
      sshPublicKey: details.key.normalized,
      checked: request,
      // Vendor sessions are never auto-approved, so PagerDuty is not asked.
      incidentCheck: 'off',
      now,
    });
    await deps.store.create(created.next, created.audit);
    // As for every request, the timeout is scheduled before any message.
    const escalateAfter = workflow.access.escalateAfter;
    const { postedTo } = await runEffects(
      deps,
      { request: created.next },
      {
        jobs: [
          { kind: 'timeout', at: now + workflow.access.requestTimeout },
          ...(escalateAfter === undefined ? [] : [{ kind: 'escalate', at: now + escalateAfter } as const]),
        ],
        post: true,
      },
    );
    return { request: created.next, ...(postedTo === undefined ? {} : { postedTo }) };
  }

  return { checkVendorSession, checkVendorDetails: checkDetails, requestVendorSession };
}

/** False when `check` refuses for want of a ticket; any other refusal is not about the ticket. */
function hasTicket(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (isJumpgateError(error, 'ticket_required')) return false;
    throw error;
  }
}
