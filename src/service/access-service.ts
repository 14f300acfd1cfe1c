import { createApproveRequest } from './approve-request.js';
import { createBreakglass } from './breakglass.js';
import { createCancelRequest } from './cancel-request.js';
import { createDenyRequest } from './deny-request.js';
import type { ServiceDeps } from './deps.js';
import { createEscalateRequest } from './escalate-request.js';
import { createExpireGrant } from './expire-grant.js';
import { createIssueGrant } from './issue-grant.js';
import { createListMine, createListTargets } from './list-mine.js';
import { createReconcile } from './reconcile.js';
import { createRegisterKey } from './register-key.js';
import { createRemindReview } from './remind-review.js';
import { createReportJobFailure } from './report-job-failure.js';
import { createRequestAccess } from './request-access.js';
import { createReviewBreakglass } from './review-breakglass.js';
import { createRevokeGrant } from './revoke-grant.js';
import { createTimeoutRequest } from './timeout-request.js';
import { createWarnExpiry } from './warn-expiry.js';
import { createWatchIncidents } from './watch-incidents.js';

/** Every use case, wired to the same ports: what the Slack layer and the jobs call. */
export function createAccessService(deps: ServiceDeps) {
  const issueApproved = createIssueGrant(deps);
  /** The grant of an approved request, by id (jobs, reconciliation); undefined for an unknown id. */
  const issueGrant = async (requestId: string) => {
    const request = await deps.store.get(requestId);
    return request && issueApproved(request);
  };
  const expireGrant = createExpireGrant(deps);
  const timeoutRequest = createTimeoutRequest(deps);
  const escalateRequest = createEscalateRequest(deps);
  const { checkBreakglass, breakglass } = createBreakglass(deps, issueApproved);
  return {
    registerKey: createRegisterKey(deps),
    requestAccess: createRequestAccess(deps, issueApproved),
    approveRequest: createApproveRequest(deps, issueApproved),
    denyRequest: createDenyRequest(deps),
    cancelRequest: createCancelRequest(deps),
    issueGrant,
    expireGrant,
    revokeGrant: createRevokeGrant(deps),
    warnExpiry: createWarnExpiry(deps),
    timeoutRequest,
    escalateRequest,
    listMine: createListMine(deps),
    listTargets: createListTargets(deps),
    reconcile: createReconcile(deps, { expireGrant, timeoutRequest, escalateRequest, issueGrant }),
    reportJobFailure: createReportJobFailure(deps),
    checkBreakglass,
    breakglass,
    reviewBreakglass: createReviewBreakglass(deps),
    remindReview: createRemindReview(deps),
    watchIncidents: createWatchIncidents(deps),
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
