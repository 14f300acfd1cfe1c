import type { KnownBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import { canCancel } from '../../domain/approval.js';
import { formatDuration } from '../../domain/duration.js';
import type { IncidentCheck } from '../../service/support/check-incident.js';
import { ACTION_IDS } from '../action-ids.js';
import { code, escapeClipped, escapeMrkdwn, mentionChannel } from '../mrkdwn.js';
import { failureText } from '../public-text.js';
import { context, type SlackMessage, section, withoutEmoji } from './block-kit.js';
import { cappedLine, incidentNumberLink } from './incident-facts.js';

/** PagerDuty's and the broker's explanations are one sentence here. */
const MAX_REASON = 1_000;

/**
 * The confirmation after a request is recorded. `postedTo` is the approvers' channel, or
 * undefined when the approval message could not be posted: the request still stands, and the
 * reconciliation sweep posts the message again within a minute or so. An auto-approved request
 * says so instead (no approver was asked); `incidentCheck` says why a request was not
 * auto-approved when the workflow has the rule.
 */
export function requestSentMessage(
  request: AccessRequest,
  postedTo?: string,
  incidentCheck?: IncidentCheck,
): SlackMessage {
  if (request.autoApproval) return autoApproved(request);
  const what = `Request ${code(request.id)} for ${escapeMrkdwn(request.target)} (${formatDuration(request.durationMs)})`;
  const line =
    postedTo === undefined
      ? `:warning: ${what} is recorded, but Slack did not take the approval message; Jumpgate ` +
        `will post it again shortly. You will get a DM when it is decided.`
      : `:outbox_tray: ${what} sent to ${mentionChannel(postedTo)}; you will get a DM when it is decided.`;
  const blocks: KnownBlock[] = [section(line)];
  const why = notAutoApproved(incidentCheck);
  if (why !== undefined) blocks.push(section(why));
  // Only the requester reads this message: the button is there while they may cancel.
  if (canCancel(request, request.requester)) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.cancel,
          value: request.id,
          text: { type: 'plain_text', text: 'Cancel request', emoji: true },
        },
      ],
    });
  }
  // The fallback is what notifications and screen readers show: it says everything the blocks do.
  return { text: why === undefined ? withoutEmoji(line) : `${withoutEmoji(line)} ${withoutEmoji(why)}`, blocks };
}

function autoApproved(request: AccessRequest): SlackMessage {
  const name = `*${escapeMrkdwn(request.target)}*`;
  if (request.status === 'failed') {
    const why = escapeClipped(failureText(request.failure), MAX_REASON);
    const line = `:x: ${code(request.id)} was auto-approved, but access to ${name} could not be granted: ${why}. Nothing was granted; you can ask again.`;
    return { text: withoutEmoji(line), blocks: [section(line)] };
  }
  const incident = request.incident ? `incident ${incidentNumberLink(request.incident)}` : 'an incident';
  const lead =
    `:zap: Auto-approved: you are on call and ${incident} is active. ` +
    `Access to ${name} for ${formatDuration(request.durationMs)} — your certificate comes by DM.`;
  const capped = cappedLine(request);
  const id = `Request ${code(request.id)}`;
  return {
    text: `${withoutEmoji(lead)} ${id}.`,
    blocks: [section(capped === undefined ? lead : `${lead}\n${capped}`), context(id)],
  };
}

function notAutoApproved(check: IncidentCheck | undefined): string | undefined {
  switch (check?.outcome) {
    case 'unavailable':
      return `:warning: PagerDuty could not be asked (${escapeClipped(check.reason, MAX_REASON)}), so your request went to the approvers.`;
    case 'not_approved':
      return `Not auto-approved: ${escapeClipped(check.reason, MAX_REASON)}; the approvers were asked.`;
    // `approved` comes with an auto-approved request (handled above); `off` says nothing.
    case 'approved':
    case 'off':
    case undefined:
      return undefined;
  }
}
