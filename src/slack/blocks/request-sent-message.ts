import type { AccessRequest } from '../../domain/access-request.js';
import { formatDuration } from '../../domain/duration.js';
import { code, escapeMrkdwn, mentionChannel } from '../mrkdwn.js';
import { section, type SlackMessage } from './block-kit.js';

/**
 * The confirmation after a request is recorded. `postedTo` is the approvers' channel, or
 * undefined when the approval message could not be posted: the request still stands (and
 * times out by itself), so the requester is told to pass its id on.
 */
export function requestSentMessage(request: AccessRequest, postedTo?: string): SlackMessage {
  const what = `Request ${code(request.id)} for ${escapeMrkdwn(request.target)} (${formatDuration(request.durationMs)})`;
  const line =
    postedTo === undefined
      ? `:warning: ${what} is recorded, but the approval message could not be posted. ` +
        `Tell the approvers the request id, ${code(request.id)}; you will get a DM when it is decided.`
      : `:outbox_tray: ${what} sent to ${mentionChannel(postedTo)}; you will get a DM when it is decided.`;
  return { text: line.replace(/^:[a-z_]+: /, ''), blocks: [section(line)] };
}
