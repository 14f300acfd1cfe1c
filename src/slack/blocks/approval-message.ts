import type { ActionsBlock, KnownBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import { awaitsDecision, distinctApprovers } from '../../domain/approval.js';
import { awaitsReview } from '../../domain/breakglass-review.js';
import { formatDuration } from '../../domain/duration.js';
import type { RequestView } from '../../service/support/request-view.js';
import { ACTION_IDS } from '../action-ids.js';
import { code, escapeClipped, escapeMrkdwn, mentionUser, slackDate } from '../mrkdwn.js';
import { context, fields, header, plainText, type SlackMessage, section, withoutEmoji } from './block-kit.js';
import { extensionAskLine, extensionButtons, extensionDenialLine, extensionsLine } from './extension-facts.js';
import { autoApprovalLine, incidentLink } from './incident-facts.js';
import { escapedList, hostsOf, kindTitle, principalsOf, vendorLabel } from './request-facts.js';
import { requestStatusLine } from './request-status-line.js';
import { retryActions } from './retry-actions.js';
import { reviewLine } from './review-facts.js';

/** Long enough for any honest reason; the audit trail keeps the whole text. */
const MAX_REASON = 2_500;
const MAX_TICKET = 200;

/**
 * The message in the approvers' channel. It is posted once and re-rendered in place from the
 * request on every change, so it always shows the current state. The Approve and Deny buttons
 * exist only while a request waits for approval (a late click on a cached copy is refused
 * anyway); an auto-approved request never has any. A breakglass was granted without approval:
 * its message carries the post-hoc review instead, with its buttons until someone reviews it.
 */
export function approvalMessage(view: RequestView, now: number): SlackMessage {
  const { request, target } = view;
  const statusLine = requestStatusLine(view, now);

  const facts: [string, string][] = [
    [request.kind === 'vendor' ? 'Sponsor' : 'Requester', mentionUser(request.requester)],
    ['Target', escapeMrkdwn(target.name)],
  ];
  if (request.vendor) facts.push(['Vendor', vendorLabel(request.vendor)]);
  facts.push(
    ['Hosts', escapedList(hostsOf(view))],
    ['Principals', escapedList(principalsOf(view))],
    ['Duration', formatDuration(request.durationMs)],
    ['Ticket', request.ticket ? escapeClipped(request.ticket, MAX_TICKET) : '—'],
    ['Approvals', approvalsFact(request)],
  );

  const blocks: KnownBlock[] = [
    header(request.kind === 'breakglass' ? `:rotating_light: ${kindTitle(request.kind)}` : kindTitle(request.kind)),
    fields(facts),
    section(`*Reason*\n${request.reason.trim() === '' ? '—' : escapeClipped(request.reason, MAX_REASON)}`),
  ];
  if (request.vendor) {
    const shell = view.workflow.vendor?.allowPty === true ? 'an interactive shell allowed' : 'no interactive shell';
    blocks.push(
      context(
        `:briefcase: A vendor outside the company, sponsored by ${mentionUser(request.requester)} (who cannot approve it). ` +
          `Their certificate: no port, agent or X11 forwarding; ${shell}.`,
      ),
    );
  }
  const auto = autoApprovalLine(request);
  if (auto !== undefined) blocks.push(section(auto));
  if (request.kind === 'breakglass' && request.incident)
    blocks.push(section(`Justified by incident ${incidentLink(request.incident)}`));
  blocks.push(section(statusLine));
  for (const line of [extensionsLine(request), extensionDenialLine(request), extensionAskLine(request)]) {
    if (line !== undefined) blocks.push(section(line));
  }
  const review = reviewLine(request, now);
  if (review !== undefined) blocks.push(section(review));
  const buttons = buttonsFor(request) ?? retryActions(view, now);
  if (buttons) blocks.push(buttons);
  const extension = extensionButtons(request);
  if (extension) blocks.push(extension);
  blocks.push(context(`Request ${code(request.id)} · requested ${slackDate(request.createdAt)}`));

  const forWhom = request.vendor ? ` for ${vendorLabel(request.vendor)} on ` : ' for ';
  const text =
    `${kindTitle(request.kind)} from ${mentionUser(request.requester)}${forWhom}${escapeMrkdwn(target.name)} ` +
    `(${formatDuration(request.durationMs)}): ${withoutEmoji(statusLine)}`;
  return { text, blocks };
}

function approvalsFact(request: AccessRequest): string {
  if (request.autoApproval) return 'none needed (auto-approved)';
  if (request.kind === 'breakglass') return 'none needed (breakglass)';
  const approvers = distinctApprovers(request);
  return (
    `${approvers.length} of ${request.approvalsRequired}` +
    (approvers.length > 0 ? `: ${approvers.map(mentionUser).join(', ')}` : '')
  );
}

/** Approve / Deny while a normal request is pending; the review buttons while a breakglass awaits review. */
function buttonsFor(request: AccessRequest): ActionsBlock | undefined {
  if (awaitsReview(request)) {
    return {
      type: 'actions',
      block_id: 'jump_review',
      elements: [
        {
          type: 'button',
          action_id: ACTION_IDS.reviewOk,
          text: plainText('Reviewed: OK'),
          style: 'primary',
          value: request.id,
        },
        {
          type: 'button',
          action_id: ACTION_IDS.reviewFlag,
          text: plainText('Flag'),
          style: 'danger',
          value: request.id,
        },
      ],
    };
  }
  if (!awaitsDecision(request)) return undefined;
  return {
    type: 'actions',
    block_id: 'jump_decision',
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.approve,
        text: plainText('Approve'),
        style: 'primary',
        value: request.id,
      },
      { type: 'button', action_id: ACTION_IDS.deny, text: plainText('Deny'), style: 'danger', value: request.id },
    ],
  };
}
