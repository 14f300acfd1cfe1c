import { distinctApprovers } from '../../domain/approval.js';
import { SYSTEM_ACTOR } from '../../domain/audit-entry.js';
import { formatDuration } from '../../domain/duration.js';
import type { Notice } from '../../service/ports/notifier.js';
import type { RequestView } from '../../service/support/request-view.js';
import { code, escapeClipped, escapeMrkdwn, mentionUser, slackDate } from '../mrkdwn.js';
import { failureText } from '../public-text.js';
import { context, type SlackMessage, section, withoutEmoji } from './block-kit.js';
import { grantedNotice } from './granted-notice.js';

const MAX_REASON = 1_500;

/**
 * The direct message a requester gets at each moment of their request. `now` is only for "in N
 * minutes": every absolute time is a Slack date, shown in the reader's own time zone.
 */
export function noticeMessage(notice: Notice, now: number): SlackMessage {
  switch (notice.type) {
    case 'granted':
      return grantedNotice(notice.view, notice.certificate);
    case 'expiring':
      return expiring(notice.view, now);
    case 'ended':
      return ended(notice.view);
    case 'closed':
      return closed(notice.view);
  }
}

function expiring({ request, target }: RequestView, now: number): SlackMessage {
  const notAfter = request.grant?.notAfter ?? now;
  const left = notAfter - now;
  const minutes = Math.round(left / 60_000);
  const within = left < 60_000 ? 'in less than a minute' : `in ${minutes} ${minutes === 1 ? 'minute' : 'minutes'}`;
  const name = escapeMrkdwn(target.name);
  const line = `:hourglass: Your access to *${name}* ends ${within}, at ${slackDate(notAfter)}.`;
  return message(
    `${line} The certificate stops working then; save your work. For more time, request again: ${code(`/jump request ${target.name}`)}`,
    request,
    `Your access to ${name} ends ${within}`,
  );
}

function ended({ request, target }: RequestView): SlackMessage {
  const name = escapeMrkdwn(target.name);
  let line: string;
  if (request.status === 'revoked' && request.revocation?.reason && request.revocation.by === SYSTEM_ACTOR) {
    // Jumpgate ended it by itself (the incident that justified it was resolved): say why.
    const { at, reason } = request.revocation;
    line = `:checkered_flag: Your access to *${name}* was revoked at ${slackDate(at)}: ${escapeClipped(reason.replace(/[\s.]+$/, ''), MAX_REASON)}.`;
  } else if (request.status === 'revoked' && request.revocation) {
    const { by, at } = request.revocation;
    line =
      by === request.requester
        ? `:stop_sign: You ended your access to *${name}* at ${slackDate(at)}.`
        : `:stop_sign: Your access to *${name}* was revoked by ${mentionUser(by)} at ${slackDate(at)}.`;
  } else if (request.status === 'revoked') {
    line = `:stop_sign: Your access to *${name}* was revoked.`;
  } else {
    line = `:checkered_flag: Your access to *${name}* has ended: it expired at ${slackDate(request.grant?.notAfter ?? request.updatedAt)}.`;
  }
  // An expired certificate is refused by its own end time; a revoked one once the bastion has the
  // new KRL (the broker writes it at once; a bastion elsewhere fetches it every 30 s).
  const effect =
    request.status === 'revoked' ? 'Bastions refuse the certificate within ~30 s.' : 'The certificate no longer works.';
  return message(`${line} ${effect}`, request, withoutEmoji(line));
}

function closed({ request, target, workflow }: RequestView): SlackMessage {
  const what = `Your request ${code(request.id)} for *${escapeMrkdwn(target.name)}*`;
  let line: string;
  switch (request.status) {
    case 'denied': {
      const by = request.decision ? mentionUser(request.decision.by) : 'an approver';
      const reason = request.decision?.reason;
      line = `:no_entry: ${what} was denied by ${by}` + (reason ? `: ${escapeClipped(reason, MAX_REASON)}` : '.');
      break;
    }
    case 'timed_out': {
      const within = formatDuration(workflow.access.requestTimeout);
      const approved = distinctApprovers(request).length;
      line =
        `:alarm_clock: ${what} timed out: ` +
        (approved === 0
          ? `nobody approved it within ${within}.`
          : `only ${approved} of ${request.approvalsRequired} approvals came within ${within}.`) +
        ' You can ask again.';
      break;
    }
    case 'failed':
      line =
        `:x: ${what} was approved, but access could not be granted: ` +
        `${escapeClipped(failureText(request.failure), MAX_REASON)}. Nothing was granted; you can ask again.`;
      break;
    case 'cancelled': {
      const reason = request.decision?.by === SYSTEM_ACTOR ? request.decision.reason : undefined;
      line =
        `:heavy_multiplication_x: ${what} was cancelled` + (reason ? `: ${escapeClipped(reason, MAX_REASON)}.` : '.');
      break;
    }
    // A closed notice is only sent for the statuses above; anything else is named plainly.
    case 'pending':
    case 'approved':
    case 'active':
    case 'expired':
    case 'revoked':
      line = `${what} is ${request.status}.`;
  }
  return message(line, request, withoutEmoji(line));
}

/** The ids a person may quote: the grant's (what /jump revoke and the granted DM name) once there is one. */
function message(body: string, request: RequestView['request'], text: string): SlackMessage {
  const ids = request.grant
    ? `Grant ${code(request.grant.id)} · request ${code(request.id)}`
    : `Request ${code(request.id)}`;
  return { text, blocks: [section(body), context(ids)] };
}
