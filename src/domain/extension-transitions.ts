import type { AccessRequest, Extension, ExtensionHow } from './access-request.js';
import { type Approval, decideApproval, decideDenial } from './approval.js';
import { JumpgateError } from './errors.js';
import type { ExtensionDecision, PlannedExtension } from './extension.js';
import type { Issued } from './grant-transitions.js';
import type { Member } from './people.js';
import { auditOf, type RequestChange } from './request-change.js';
import type { PeopleSet } from './workflow.js';

/*
 * The transitions of a running grant's extension: asked of the approvers, approved (one click
 * at a time), denied, and granted (the new window with its certificate). The grant stays
 * active throughout; only `extended` moves its end.
 */

/** Beyond auto_within: the extension waits for the approvers (`extension_requested`). */
export function askExtension(
  request: AccessRequest,
  input: { readonly decision: ExtensionDecision & { readonly outcome: 'approval' }; readonly now: number },
): RequestChange {
  const { decision, now } = input;
  return {
    next: {
      ...request,
      updatedAt: now,
      extensionRequest: {
        window: decision.window,
        by: request.requester,
        at: now,
        addedMs: decision.addedMs,
        approvalsRequired: decision.approvalsRequired,
        approvals: [],
      },
    },
    audit: auditOf(request, 'extension_requested', request.requester, {
      addedMs: decision.addedMs,
      window: decision.window,
      notAfter: decision.fromNotAfter,
      wouldEndAt: decision.toNotAfter,
      required: decision.approvalsRequired,
    }),
  };
}

export interface ExtensionClick {
  /** The window the clicked ask would make (from the button): an older ask is decided already. */
  readonly window: number;
  readonly approvers: PeopleSet;
  readonly allowSelfApproval: boolean;
  readonly clicker: Member;
  readonly now: number;
}

/**
 * Throws `request_decided` unless the grant is active and the extension the click is about
 * still waits: it was granted, denied, or the grant ended (the message says which).
 */
function pendingAsk(request: AccessRequest, window: number) {
  const ask = request.extensionRequest;
  if (request.status === 'active' && ask?.window === window) return ask;
  const done =
    request.status !== 'active'
      ? `the grant is ${request.status.replace('_', ' ')}`
      : (request.extensions?.length ?? 0) + 1 >= window
        ? 'it was granted already'
        : 'it was decided already';
  throw new JumpgateError('request_decided', `this extension no longer waits for a decision: ${done}`, {
    details: { status: request.status },
  });
}

/**
 * An Approve click on an extension (the same rules as a request's approval: eligible
 * approvers, never the holder unless the workflow allows self approval, one person once).
 * `complete` says the approvals are enough: then the caller issues the new window and
 * commits `extend`; otherwise `change` records this approval (`extension_approved`).
 */
export function approveExtension(
  request: AccessRequest,
  input: ExtensionClick,
): { readonly approvals: Approval[]; readonly complete: boolean; readonly change?: RequestChange } {
  const ask = pendingAsk(request, input.window);
  const { approvals, complete } = decideApproval({
    request: {
      status: 'pending',
      kind: request.kind,
      requester: request.requester,
      approvalsRequired: ask.approvalsRequired,
      approvals: ask.approvals,
    },
    approvers: input.approvers,
    allowSelfApproval: input.allowSelfApproval,
    clicker: input.clicker,
    now: input.now,
  });
  if (complete) return { approvals, complete };
  return {
    approvals,
    complete,
    change: {
      next: { ...request, updatedAt: input.now, extensionRequest: { ...ask, approvals } },
      audit: auditOf(request, 'extension_approved', input.clicker.userId, {
        window: ask.window,
        approvals: approvals.length,
        required: ask.approvalsRequired,
      }),
    },
  };
}

/** A Deny click on an extension: the grant keeps its end (`extension_denied`). */
export function denyExtension(request: AccessRequest, input: ExtensionClick): RequestChange {
  const ask = pendingAsk(request, input.window);
  const denial = decideDenial({
    request: { status: 'pending', requester: request.requester },
    approvers: input.approvers,
    allowSelfApproval: input.allowSelfApproval,
    clicker: input.clicker,
    now: input.now,
  });
  const { extensionRequest: _asked, ...rest } = request;
  return {
    next: {
      ...rest,
      updatedAt: input.now,
      extensionDenial: { window: ask.window, addedMs: ask.addedMs, by: denial.userId, at: denial.at },
    },
    audit: auditOf(request, 'extension_denied', denial.userId, { window: ask.window, addedMs: ask.addedMs }),
  };
}

/** An extension decided and about to be issued: the window, how it was granted, by whom. */
export interface GrantedExtension {
  readonly planned: PlannedExtension;
  readonly how: ExtensionHow;
  /** Who made it happen: the holder (at once) or the last approver. */
  readonly actor: string;
  readonly approvals: readonly Approval[];
}

/**
 * The extension granted: the grant runs under the new window's id and certificate until
 * `toNotAfter` (`extended`, with the old and new notAfter). The expiry warning is due again
 * for the new window. Undefined when the grant is no longer where the extension started (it
 * ended, or another click or retry extended it first).
 */
export function extend(
  request: AccessRequest,
  input: GrantedExtension & { readonly issued: Issued; readonly now: number },
): RequestChange | undefined {
  const { planned, how, issued, now } = input;
  const grant = request.grant;
  if (request.status !== 'active' || !grant || grant.notAfter !== planned.fromNotAfter) return undefined;
  if ((request.extensions?.length ?? 0) + 2 !== planned.window) return undefined;
  if (how === 'approved' && request.extensionRequest?.window !== planned.window) return undefined;
  const extension: Extension = {
    window: planned.window,
    by: request.requester,
    at: now,
    addedMs: planned.addedMs,
    fromNotAfter: planned.fromNotAfter,
    toNotAfter: planned.toNotAfter,
    previousGrantId: grant.id,
    ...(grant.serial === undefined ? {} : { previousSerial: grant.serial }),
    how,
    approvals: input.approvals,
  };
  const { extensionRequest: _asked, warnedAt: _warned, extensionDenial: _denied, ...rest } = request;
  const next: AccessRequest = {
    ...rest,
    updatedAt: now,
    grant: {
      ...grant,
      id: planned.grantId,
      notAfter: planned.toNotAfter,
      serial: issued.serial,
      principals: issued.principals,
      certificate: issued.certificate,
    },
    extensions: [...(request.extensions ?? []), extension],
  };
  return {
    next,
    audit: auditOf(
      request,
      'extended',
      input.actor,
      {
        oldNotAfter: planned.fromNotAfter,
        newNotAfter: planned.toNotAfter,
        addedMs: planned.addedMs,
        window: planned.window,
        how,
        previousGrantId: grant.id,
        ...(grant.serial === undefined ? {} : { previousSerial: grant.serial }),
        serial: issued.serial,
        approvals: input.approvals.map((approval) => approval.userId),
      },
      planned.grantId,
    ),
  };
}
