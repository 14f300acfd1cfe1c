import type { AccessRequest } from './access-request.js';
import { approverSetFor } from './approver-set.js';
import type { AuditEntry } from './audit-entry.js';
import { withSubject } from './request-change.js';
import type { RequestKind } from './request-kind.js';
import type { CheckedRequest } from './request-rules.js';
import type { Workflow } from './workflow.js';

interface CommonInput {
  readonly id: string;
  readonly workflow: Workflow;
  readonly target: string;
  readonly requester: string;
  readonly sshPublicKey: string;
  /** What `checkRequest` made of what was typed. */
  readonly checked: CheckedRequest;
  /** What PagerDuty said when the request was made (kept in the audit record). */
  readonly incidentCheck: string;
  readonly now: number;
}

/**
 * A standard or breakglass request is for the requester's own key; a vendor session names its
 * vendor, and its key is the vendor's (see `checkVendorDetails`).
 */
export type NewRequestInput = CommonInput &
  (
    | { readonly kind: Exclude<RequestKind, 'vendor'>; readonly vendor?: undefined }
    | { readonly kind: 'vendor'; readonly vendor: { readonly email: string; readonly name: string } }
  );

/**
 * A new pending request and its `requested` record. The number of approvals it needs is fixed
 * now, so a policy change cannot move the goalposts mid-way; a breakglass needs none (it is
 * granted at once and reviewed afterwards). A vendor session's records name its vendor
 * (`detail.subject`, see `auditOf`).
 */
export function newRequest(input: NewRequestInput): { readonly next: AccessRequest; readonly audit: AuditEntry } {
  const { id, kind, workflow, checked, now } = input;
  const approvalsRequired = kind === 'breakglass' ? 0 : approverSetFor(workflow, kind, false).approvalsRequired;
  const next: AccessRequest = {
    id,
    kind,
    status: 'pending',
    workflow: workflow.name,
    target: input.target,
    requester: input.requester,
    ...(input.vendor === undefined ? {} : { vendor: { email: input.vendor.email, name: input.vendor.name } }),
    sshPublicKey: input.sshPublicKey,
    durationMs: checked.durationMs,
    reason: checked.reason,
    ...(checked.ticket === undefined ? {} : { ticket: checked.ticket }),
    createdAt: now,
    updatedAt: now,
    approvalsRequired,
    approvals: [],
    version: 1,
  };
  const audit: AuditEntry = {
    type: 'requested',
    requestId: id,
    actor: input.requester,
    target: input.target,
    detail: withSubject(next, {
      kind,
      durationMs: checked.durationMs,
      reason: checked.reason,
      ticket: checked.ticket,
      ...(kind === 'breakglass' ? {} : { approvalsRequired }),
      workflow: workflow.name,
      incidentCheck: input.incidentCheck,
    }),
  };
  return { next, audit };
}
