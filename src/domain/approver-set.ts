import { JumpgateError } from './errors.js';
import { inPeopleSet, type Member, unionPeopleSets } from './people.js';
import type { RequestKind } from './request-kind.js';
import type { PeopleSet, Workflow } from './workflow.js';

/** Who may decide a request, and how many distinct of them must approve it. */
export interface ApproverSet {
  readonly set: PeopleSet;
  readonly approvalsRequired: number;
  /**
   * Whether the requester may approve (or deny) their own request: the workflow's
   * `allow_self_approval` for standard requests, never for a vendor session (its sponsor is
   * the requester, and a second pair of eyes is the point of sponsoring).
   */
  readonly allowSelfApproval: boolean;
}

/**
 * The approvers of a request of `kind` under `workflow`.
 *
 * - standard: the access approvers, `access.approvalsRequired` of them.
 * - vendor: the vendor approvers (the access approvers when the workflow names none),
 *   `vendor.approvalsRequired` of them, never the sponsor (whatever `allow_self_approval` says).
 * - breakglass: the access approvers do the post-hoc review; one review settles it, because the
 *   access was already granted and a review records a judgement rather than gating anything.
 *
 * Once a request is `escalated` (pending past `access.escalateAfter`), the escalation approvers
 * join the set; nobody already in it is removed and the number required does not change.
 * Throws `vendor_not_allowed` for a vendor request under a workflow with no vendor rules.
 */
export function approverSetFor(workflow: Workflow, kind: RequestKind, escalated: boolean): ApproverSet {
  const { access, vendor } = workflow;
  let base: ApproverSet;
  switch (kind) {
    case 'standard':
      base = {
        set: access.approvers,
        approvalsRequired: access.approvalsRequired,
        allowSelfApproval: access.allowSelfApproval,
      };
      break;
    case 'breakglass':
      // The person who used a breakglass never reviews it (see breakglass-review.ts).
      base = { set: access.approvers, approvalsRequired: 1, allowSelfApproval: false };
      break;
    case 'vendor':
      if (!vendor) {
        throw new JumpgateError(
          'vendor_not_allowed',
          `workflow ${workflow.name} has no vendor rules, so it has no vendor approvers`,
          {
            details: { workflow: workflow.name },
          },
        );
      }
      base = {
        set: vendor.approvers ?? access.approvers,
        approvalsRequired: vendor.approvalsRequired,
        allowSelfApproval: false,
      };
      break;
  }
  if (!escalated || !access.escalationApprovers) return base;
  return { ...base, set: unionPeopleSets(base.set, access.escalationApprovers) };
}

/**
 * Throws `not_an_approver` unless `member` is in `approvers`. The message is plain; details
 * carry `approvers` (users and groups) so the Slack layer can mention who can decide.
 */
export function assertApprover(approvers: PeopleSet, member: Member): void {
  if (!inPeopleSet(approvers, member)) {
    throw new JumpgateError('not_an_approver', 'you are not an approver for this request', {
      details: { approvers: { users: [...approvers.users], groups: [...approvers.groups] } },
    });
  }
}
