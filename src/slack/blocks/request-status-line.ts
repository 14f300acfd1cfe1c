import { distinctApprovers } from '../../domain/approval.js';
import { SYSTEM_ACTOR } from '../../domain/audit-entry.js';
import { formatDuration } from '../../domain/duration.js';
import type { RequestView } from '../../service/support/request-view.js';
import { escapeClipped, mentionUser, slackDate } from '../mrkdwn.js';
import { failureText } from '../public-text.js';
import { waitingLine } from './retry-actions.js';

/** A denial reason or failure message is one sentence in a message, never an essay. */
const MAX_REASON = 1_000;

/**
 * Where a request stands, as the one line under its approval message: the line is what changes
 * when the message is updated in place, so a glance at the channel tells the whole story.
 * `now` tells a grant past its end (the revocation is on its way) from one still running.
 */
export function requestStatusLine(view: RequestView, now: number): string {
  const { request, workflow } = view;
  const { grant } = request;
  switch (request.status) {
    case 'pending':
      return (
        `:hourglass_flowing_sand: Waiting for approval${request.escalated ? ' (escalated)' : ''} — ` +
        `times out ${slackDate(request.createdAt + workflow.access.requestTimeout)}`
      );
    case 'approved':
      return request.grantWaitingSince === undefined
        ? ':white_check_mark: Approved — issuing the certificate…'
        : waitingLine(view);
    case 'active':
      if (!grant) return ':large_green_circle: Active';
      return grant.notAfter <= now
        ? `:checkered_flag: Ended at ${slackDate(grant.notAfter)} — revoking…`
        : `:large_green_circle: Active until ${slackDate(grant.notAfter)}`;
    case 'denied': {
      const by = request.decision ? mentionUser(request.decision.by) : 'an approver';
      const reason = request.decision?.reason;
      return reason ? `:no_entry: Denied by ${by}: ${escapeClipped(reason, MAX_REASON)}` : `:no_entry: Denied by ${by}`;
    }
    case 'cancelled': {
      // Jumpgate cancels by itself when the target is retired or the requester left.
      const reason = request.decision?.by === SYSTEM_ACTOR ? request.decision.reason : undefined;
      return reason
        ? `:heavy_multiplication_x: Cancelled: ${escapeClipped(reason, MAX_REASON)}`
        : ':heavy_multiplication_x: Cancelled by the requester';
    }
    case 'timed_out': {
      const within = formatDuration(workflow.access.requestTimeout);
      const approved = distinctApprovers(request).length;
      return approved === 0
        ? `:alarm_clock: Timed out — nobody approved it within ${within}`
        : `:alarm_clock: Timed out — only ${approved} of ${request.approvalsRequired} approvals within ${within}`;
    }
    case 'failed':
      return `:x: Could not be granted: ${escapeClipped(failureText(request.failure), MAX_REASON)}`;
    case 'expired':
      return `:checkered_flag: Ended at ${slackDate(grant?.notAfter ?? request.updatedAt)} (expired)`;
    case 'revoked': {
      const revocation = request.revocation;
      const at = slackDate(revocation?.at ?? request.updatedAt);
      // The bot revokes by itself only for a reason (the incident was resolved): say which.
      if (revocation?.reason && revocation.by === SYSTEM_ACTOR)
        return `:stop_sign: Revoked at ${at}: ${escapeClipped(revocation.reason, MAX_REASON)}`;
      const by = revocation ? mentionUser(revocation.by) : 'someone';
      const why = revocation?.reason ? `: ${escapeClipped(revocation.reason, MAX_REASON)}` : '';
      return `:stop_sign: Revoked by ${by} at ${at}${why}`;
    }
  }
}
