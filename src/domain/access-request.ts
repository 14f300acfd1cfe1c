import type { Approval } from './approval.js';
import type { RequestKind } from './request-kind.js';
import type { RequestStatus } from './request-status.js';

/**
 * One request for access and, once granted, the grant it became. It is the unit of state: every
 * change to it is one atomic write together with one audit record.
 */
export interface AccessRequest {
  /** `req_…`; also the root of every derived id (grant id, job ids). */
  readonly id: string;
  readonly kind: RequestKind;
  readonly status: RequestStatus;
  readonly workflow: string;
  readonly target: string;
  /** Slack user ID of the person asking (the sponsor, for a vendor session). */
  readonly requester: string;
  /** The third party a vendor session is for. */
  readonly vendor?: { readonly email: string; readonly name?: string };
  /** The public key the certificate will be issued for (the requester's, or the vendor's). */
  readonly sshPublicKey: string;
  readonly durationMs: number;
  readonly reason: string;
  readonly ticket?: string;
  /** Epoch ms. */
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Fixed at request time, so a policy change cannot move the goalposts mid-way. */
  readonly approvalsRequired: number;
  readonly approvals: readonly Approval[];
  /** Who denied or cancelled it, and why. */
  readonly decision?: { readonly by: string; readonly at: number; readonly reason?: string };
  readonly grant?: GrantRecord;
  /**
   * Approved, but the broker was unreachable at the grant call (epoch ms of the first failed
   * try): the grant is retried until the workflow's grant_retry_window has passed.
   */
  readonly grantWaitingSince?: number;
  /** Why granting failed (status failed). */
  readonly failure?: { readonly code: string; readonly message: string };
  /** The approval message in the workflow's channel, updated in place on every change. */
  readonly message?: { readonly channel: string; readonly ts: string };
  /** Pending past the workflow's escalate_after: the escalation approvers may decide too. */
  readonly escalated?: boolean;
  /** When the expiry warning was sent (once per grant window). */
  readonly warnedAt?: number;
  /** Who ended the grant early, when, and why when it was not a person's choice (status revoked). */
  readonly revocation?: { readonly by: string; readonly at: number; readonly reason?: string };
  /** The PagerDuty incident that justified this access (auto-approval, or breakglass during it). */
  readonly incident?: IncidentRef;
  /** Why nobody had to click (auto-approval during an incident). */
  readonly autoApproval?: AutoApprovalRecord;
  /** Breakglass only: the post-hoc review by an approver. */
  readonly review?: ReviewRecord;
  /** The extensions granted so far, oldest first; each gave the grant a new window and certificate. */
  readonly extensions?: readonly Extension[];
  /** An extension waiting for the approvers (beyond extend.auto_within). */
  readonly extensionRequest?: ExtensionRequest;
  /** The last extension the approvers denied (shown on the approval message and told to the holder). */
  readonly extensionDenial?: ExtensionDenial;
  /** Bumped on every write; a write whose expected version is stale is refused. */
  readonly version: number;
}

/**
 * The grant window is fixed when the last approval lands, before the broker is called, so a
 * retried grant call asks for exactly the same grant (the broker refuses a changed one).
 */
export interface GrantRecord {
  readonly id: string;
  /** Epoch ms. */
  readonly notBefore: number;
  readonly notAfter: number;
  readonly principals: readonly string[];
  readonly hosts: readonly string[];
  /** Set once the broker has issued the certificate. */
  readonly serial?: string;
  /** The OpenSSH certificate (public; useless without the holder's private key). */
  readonly certificate?: string;
}

export interface IncidentRef {
  readonly id: string;
  readonly number: number;
  readonly title: string;
  readonly url: string;
  readonly serviceId: string;
  /** Revoke the grant when this incident is resolved. */
  readonly endWithIncident: boolean;
}

export interface AutoApprovalRecord {
  readonly escalationPolicyId: string;
  readonly level: number;
  /** What was asked for, when the auto-approve cap shortened it. */
  readonly requestedMs?: number;
}

export interface ReviewRecord {
  /** Epoch ms: the review is overdue after this. */
  readonly dueAt: number;
  /** The last overdue reminder (reminders repeat while overdue). */
  readonly remindedAt?: number;
  readonly by?: string;
  readonly at?: number;
  readonly outcome?: 'ok' | 'flagged';
}

/** How an extension was decided. */
export type ExtensionHow =
  /** The whole grant stayed within extend.auto_within. */
  | 'auto'
  /** The grant ends with its incident, and the incident was open. */
  | 'incident'
  /** The approvers approved it. */
  | 'approved';

/** One granted extension: the grant moved from `fromNotAfter` to `toNotAfter` under a new grant id. */
export interface Extension {
  /** The window it made: 2 for the first extension (grant id `grant_x_2`), 3 for the next, … */
  readonly window: number;
  /** The holder who asked. */
  readonly by: string;
  /** When it was granted (epoch ms). */
  readonly at: number;
  readonly addedMs: number;
  readonly fromNotAfter: number;
  readonly toNotAfter: number;
  /** The grant (and its certificate) this one replaced; revoked at the broker once the new one is delivered. */
  readonly previousGrantId: string;
  readonly previousSerial?: string;
  readonly how: ExtensionHow;
  /** For `approved`: the approvers who approved it. */
  readonly approvals: readonly Approval[];
}

/** An extension waiting for the approvers. */
export interface ExtensionRequest {
  /** The window it would make (see Extension.window): a click on an older ask is refused. */
  readonly window: number;
  readonly by: string;
  readonly at: number;
  readonly addedMs: number;
  readonly approvalsRequired: number;
  readonly approvals: readonly Approval[];
}

export interface ExtensionDenial {
  readonly window: number;
  readonly addedMs: number;
  readonly by: string;
  readonly at: number;
}

/**
 * The grant id of a request's window: derived, so a retried grant call is the same call. The
 * first window is `grant_x`; each extension gets its own id (`grant_x_2`, `grant_x_3`, …),
 * because the broker answers the same id with the same certificate and refuses a changed one.
 */
export function grantIdFor(requestId: string, window = 1): string {
  const base = `grant_${requestId.replace(/^req_/, '')}`;
  return window <= 1 ? base : `${base}_${window}`;
}

/** The window number of a grant id (`grant_x` → 1, `grant_x_3` → 3). */
export function windowOf(grantId: string): number {
  const match = /^grant_[a-z0-9]+_(\d+)$/.exec(grantId);
  return match ? Number(match[1]) : 1;
}

/** The window a request's grant runs in now: 1, or 1 + the extensions granted. */
export function currentWindow(request: Pick<AccessRequest, 'extensions'>): number {
  return 1 + (request.extensions?.length ?? 0);
}
