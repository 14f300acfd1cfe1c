import type { AccessRequest, GrantRecord } from './access-request.js';
import { SYSTEM_ACTOR } from './audit-entry.js';
import { auditOf, type RequestChange } from './request-change.js';
import { assertTransition } from './request-status.js';

/*
 * The transitions of an approved request and the grant it becomes: granted, failed, warned,
 * ended (expired or revoked). Each returns the change, or undefined when the request is no
 * longer where the transition starts (another replica, job or click got there first).
 */

/** An approved request whose grant window is planned; `grant` says what the broker will be asked for. */
export type Approved = AccessRequest & { readonly status: 'approved'; readonly grant: GrantRecord };

/** An approved request with its planned grant, or undefined when it is not (yet, or any more) one. */
export function asApproved(request: AccessRequest | undefined): Approved | undefined {
  return request?.status === 'approved' && request.grant ? (request as Approved) : undefined;
}

/** What the broker issued for the planned grant. */
export interface Issued {
  readonly serial: string;
  readonly principals: readonly string[];
  readonly certificate: string;
  /** ISO 8601, as the broker said it. */
  readonly notAfter: string;
}

/** approved → active: the certificate the broker issued for the grant planned at approval. */
export function grant(
  request: AccessRequest,
  input: { readonly issued: Issued; readonly now: number },
): RequestChange | undefined {
  const approved = asApproved(request);
  if (!approved) return undefined;
  assertTransition(approved.status, 'active');
  const { serial, principals, certificate, notAfter } = input.issued;
  const { grantWaitingSince, ...rest } = approved;
  return {
    next: {
      ...rest,
      status: 'active',
      updatedAt: input.now,
      grant: { ...approved.grant, serial, principals, certificate },
    },
    audit: auditOf(approved, 'granted', SYSTEM_ACTOR, {
      serial,
      notAfter,
      principals,
      // After a wait for the broker: how long it was unreachable for this grant.
      ...(grantWaitingSince === undefined ? {} : { waitedMs: input.now - grantWaitingSince }),
    }),
  };
}

/** approved → failed: the broker refused or stayed down, or the grant did not match policy. Never half-granted. */
export function fail(
  request: AccessRequest,
  input: {
    readonly failure: { readonly code: string; readonly message: string };
    readonly extra?: Record<string, unknown>;
    readonly now: number;
  },
): RequestChange | undefined {
  if (request.status !== 'approved') return undefined;
  assertTransition(request.status, 'failed');
  const { failure, now } = input;
  // A request that waited for the broker says how long (it stops waiting now).
  const { grantWaitingSince, ...rest } = request;
  const waited = grantWaitingSince === undefined ? {} : { waitedMs: now - grantWaitingSince };
  return {
    next: { ...rest, status: 'failed', updatedAt: now, failure },
    audit: auditOf(request, 'grant_failed', SYSTEM_ACTOR, { ...failure, ...waited, ...input.extra }),
  };
}

/** The expiry warning, once per grant window: nothing to do when not active or warned already. */
export function warn(request: AccessRequest, input: { readonly now: number }): RequestChange | undefined {
  if (request.status !== 'active' || request.warnedAt !== undefined) return undefined;
  const { now } = input;
  return {
    next: { ...request, warnedAt: now, updatedAt: now },
    audit: auditOf(request, 'warned', SYSTEM_ACTOR, { notAfter: request.grant?.notAfter }),
  };
}

export type Ending =
  | { readonly status: 'expired'; readonly actor: string }
  /** `reason` when the bot revoked it by itself (e.g. the incident was resolved). */
  | { readonly status: 'revoked'; readonly actor: string; readonly reason?: string };

/** active → expired | revoked, once the broker has revoked it (`brokerKnewIt`: it had the grant). */
export function end(
  request: AccessRequest,
  input: { readonly ending: Ending; readonly brokerKnewIt: boolean; readonly now: number },
): RequestChange | undefined {
  if (request.status !== 'active') return undefined;
  const { ending, now } = input;
  assertTransition(request.status, ending.status);
  const reason = ending.status === 'revoked' ? ending.reason : undefined;
  const notAfter = request.grant?.notAfter;
  return {
    next: {
      ...request,
      status: ending.status,
      updatedAt: now,
      ...(ending.status === 'revoked'
        ? { revocation: { by: ending.actor, at: now, ...(reason ? { reason } : {}) } }
        : {}),
    },
    audit: auditOf(request, ending.status, ending.actor, {
      notAfter,
      lagMs: now - (notAfter ?? now),
      brokerKnewIt: input.brokerKnewIt,
      ...(reason ? { reason } : {}),
    }),
  };
}
