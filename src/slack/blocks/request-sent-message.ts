import type { AccessRequest } from '../../domain/access-request.js';
import { formatDuration } from '../../domain/duration.js';
import { code, escapeMrkdwn, mentionChannel } from '../mrkdwn.js';
import { section, type SlackMessage } from './block-kit.js';

/**
 * The confirmation after a request is recorded. `postedTo` is the approvers' channel, or
 * undefined when the approval message could not be posted: the request still stands, and the
 * reconciliation sweep posts the message again within a minute or so.
 */
export function requestSentMessage(request: AccessRequest, postedTo?: string): SlackMessage {
  const what = `Request ${code(request.id)} for ${escapeMrkdwn(request.target)} (${formatDuration(request.durationMs)})`;
  const line =
    postedTo === undefined
      ? `:warning: ${what} is recorded, but Slack did not take the approval message; Jumpgate ` +
        `will post it again shortly. You will get a DM when it is decided.`
      : `:outbox_tray: ${what} sent to ${mentionChannel(postedTo)}; you will get a DM when it is decided.`;
  return { text: line.replace(/^:[a-z_]+: /, ''), blocks: [section(line)] };
}
