import type { ServiceDeps } from './deps.js';
import { createApproveRequest } from './use-cases/approval/approve-request.js';
import { createDenyRequest } from './use-cases/approval/deny-request.js';
import { createBreakglass } from './use-cases/breakglass/breakglass.js';
import { createRemindReview } from './use-cases/breakglass/remind-review.js';
import { createReviewBreakglass } from './use-cases/breakglass/review-breakglass.js';
import { createApproveExtension } from './use-cases/grant/approve-extension.js';
import { createDenyExtension } from './use-cases/grant/deny-extension.js';
import { createExpireGrant } from './use-cases/grant/expire-access.js';
import { createExtendGrant } from './use-cases/grant/extend-access.js';
import { createIssueGrant } from './use-cases/grant/issue-access.js';
import { createResumeGrant } from './use-cases/grant/resume-grant.js';
import { createRetryGrant } from './use-cases/grant/retry-grant.js';
import { createRevokeGrant } from './use-cases/grant/revoke-access.js';
import { createWarnExpiry } from './use-cases/grant/warn-expiry.js';
import { createWatchIncidents } from './use-cases/incidents/watch-incidents.js';
import { createRegisterKey } from './use-cases/keys/register-key.js';
import { createCancelRequest } from './use-cases/request/cancel-request.js';
import { createEscalateRequest } from './use-cases/request/escalate-request.js';
import { createListMine, createListTargets } from './use-cases/request/list-mine.js';
import { createRequestAccess } from './use-cases/request/request-access.js';
import { createTimeoutRequest } from './use-cases/request/timeout-request.js';
import { createReconcile } from './use-cases/sweeps/reconcile.js';
import { createRecover } from './use-cases/sweeps/recover.js';
import { createReportJobFailure } from './use-cases/sweeps/report-job-failure.js';
import { createVendorSession } from './use-cases/vendor/vendor-session.js';

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
  const recover = createRecover(deps, { expireGrant, issueGrant: createResumeGrant(deps, issueApproved) });
  const { checkVendorSession, checkVendorDetails, requestVendorSession } = createVendorSession(deps);
  return {
    registerKey: createRegisterKey(deps),
    requestAccess: createRequestAccess(deps, issueApproved),
    approveRequest: createApproveRequest(deps, issueApproved),
    denyRequest: createDenyRequest(deps),
    cancelRequest: createCancelRequest(deps),
    issueGrant,
    retryGrant: createRetryGrant(deps, issueApproved),
    expireGrant,
    revokeGrant: createRevokeGrant(deps),
    extendGrant: createExtendGrant(deps),
    approveExtension: createApproveExtension(deps),
    denyExtension: createDenyExtension(deps),
    warnExpiry: createWarnExpiry(deps),
    timeoutRequest,
    escalateRequest,
    listMine: createListMine(deps),
    listTargets: createListTargets(deps),
    recover,
    reconcile: createReconcile(deps, { timeoutRequest, escalateRequest, recover }),
    reportJobFailure: createReportJobFailure(deps),
    checkBreakglass,
    breakglass,
    reviewBreakglass: createReviewBreakglass(deps),
    checkVendorSession,
    checkVendorDetails,
    requestVendorSession,
    remindReview: createRemindReview(deps),
    watchIncidents: createWatchIncidents(deps),
  };
}

export type AccessService = ReturnType<typeof createAccessService>;
