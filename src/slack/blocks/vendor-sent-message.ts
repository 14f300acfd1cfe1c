import type { KnownBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import { approvalsMissing, canCancel } from '../../domain/approval.js';
import { formatDuration } from '../../domain/duration.js';
import { ACTION_IDS } from '../action-ids.js';
import { code, escapeMrkdwn, mentionChannel } from '../mrkdwn.js';
import { plainText, type SlackMessage, section, withoutEmoji } from './block-kit.js';
import { vendorLabel } from './request-facts.js';

/**
 * The sponsor's DM once the vendor modal is submitted and the vendor session recorded: what was
 * asked, where the approvers were asked, and that the sponsor cannot approve it. `postedTo` is
 * undefined when Slack did not take the approval message (the reconciliation sweep posts it).
 */
export function vendorSentMessage(request: AccessRequest, postedTo?: string): SlackMessage {
  const vendor = request.vendor ? vendorLabel(request.vendor) : 'the vendor';
  const what =
    `Vendor session request ${code(request.id)} for ${vendor} on *${escapeMrkdwn(request.target)}* ` +
    `(${formatDuration(request.durationMs)})`;
  const missing = approvalsMissing(request);
  const needs = `It needs ${missing} ${missing === 1 ? 'approval' : 'approvals'} from the vendor approvers; as its sponsor you cannot approve it yourself.`;
  const line =
    postedTo === undefined
      ? `:warning: ${what} is recorded, but Slack did not take the approval message; Jumpgate will post it again shortly.`
      : `:outbox_tray: ${what} sent to ${mentionChannel(postedTo)}.`;
  const next = 'Once it is approved, the certificate comes to you by DM to pass on to the vendor.';
  const blocks: KnownBlock[] = [section(`${line}\n${needs}\n${next}`)];
  if (canCancel(request, request.requester)) {
    blocks.push({
      type: 'actions',
      elements: [
        { type: 'button', action_id: ACTION_IDS.cancel, value: request.id, text: plainText('Cancel request') },
      ],
    });
  }
  return { text: `${withoutEmoji(line)} ${needs} ${next}`, blocks };
}
