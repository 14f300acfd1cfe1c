import type { AccessRequest } from './access-request.js';
import type { AuditEntry, AuditType } from './audit-entry.js';
import { vendorSubject } from './vendor-session.js';

/**
 * What a transition makes of a request: the next record and the audit entry that goes with it,
 * written together or not at all. A transition that refuses throws a JumpgateError instead; one
 * that finds nothing to do (a job that fired late, twice, or early) returns undefined.
 */
export interface RequestChange {
  readonly next: AccessRequest;
  readonly audit: AuditEntry;
}

/**
 * The audit entry of a change to `request`, naming its grant when it has one. Every record of a
 * vendor session carries `detail.subject` (`{type: 'vendor', email, name, sponsor}`), so the
 * trail names the vendor wherever it is read from.
 */
export function auditOf(
  request: AccessRequest,
  type: AuditType,
  actor: string,
  detail: Readonly<Record<string, unknown>>,
  grantId: string | undefined = request.grant?.id,
): AuditEntry {
  return {
    type,
    requestId: request.id,
    ...(grantId === undefined ? {} : { grantId }),
    actor,
    target: request.target,
    detail: withSubject(request, detail),
  };
}

/** `detail` with the vendor subject of a vendor session added (nothing added for any other request). */
export function withSubject(
  request: Pick<AccessRequest, 'vendor' | 'requester'>,
  detail: Readonly<Record<string, unknown>>,
): Readonly<Record<string, unknown>> {
  const subject = vendorSubject(request);
  return subject === undefined ? detail : { ...detail, subject };
}
