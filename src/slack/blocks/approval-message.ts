import type { ActionsBlock, KnownBlock } from '@slack/types';
import { formatDuration } from '../../domain/duration.js';
import type { RequestView } from '../../service/ports/notifier.js';
import { ACTION_IDS } from '../action-ids.js';
import { code, escapeClipped, escapeMrkdwn, mentionUser, slackDate } from '../mrkdwn.js';
import { context, fields, header, plainText, section, type SlackMessage } from './block-kit.js';
import { distinctApprovers, escapedList, hostsOf, kindTitle, principalsOf, vendorLabel } from './request-facts.js';
import { requestStatusLine } from './request-status-line.js';

/** Long enough for any honest reason; the audit trail keeps the whole text. */
const MAX_REASON = 2_500;
const MAX_TICKET = 200;

/**
 * The message in the approvers' channel. It is posted once and re-rendered in place from the
 * request on every change, so it always shows the current state; the Approve and Deny buttons
 * exist only while the request is pending (a late click on a cached copy is refused anyway).
 */
export function approvalMessage(view: RequestView, now: number): SlackMessage {
  const { request, target } = view;
  const statusLine = requestStatusLine(view, now);
  const approvers = distinctApprovers(request);
  const approvals =
    `${approvers.length} of ${request.approvalsRequired}` + (approvers.length > 0 ? `: ${approvers.map(mentionUser).join(', ')}` : '');

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
    ['Approvals', approvals],
  );

  const blocks: KnownBlock[] = [
    header(kindTitle(request.kind)),
    fields(facts),
    section(`*Reason*\n${request.reason.trim() === '' ? '—' : escapeClipped(request.reason, MAX_REASON)}`),
    section(statusLine),
  ];
  if (request.status === 'pending') blocks.push(decisionButtons(request.id));
  blocks.push(context(`Request ${code(request.id)} · requested ${slackDate(request.createdAt)}`));

  const text =
    `${kindTitle(request.kind)} from ${mentionUser(request.requester)} for ${escapeMrkdwn(target.name)} ` +
    `(${formatDuration(request.durationMs)}): ${stripEmoji(statusLine)}`;
  return { text, blocks };
}

function decisionButtons(requestId: string): ActionsBlock {
  return {
    type: 'actions',
    block_id: 'jump_decision',
    elements: [
      { type: 'button', action_id: ACTION_IDS.approve, text: plainText('Approve'), style: 'primary', value: requestId },
      { type: 'button', action_id: ACTION_IDS.deny, text: plainText('Deny'), style: 'danger', value: requestId },
    ],
  };
}

/** Notifications show emoji codes as text; the fallback reads better without them. */
function stripEmoji(line: string): string {
  return line.replace(/^:[a-z_]+: /, '');
}
