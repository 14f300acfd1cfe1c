import { approverSetFor } from '../../domain/approver-set.js';
import { formatDuration } from '../../domain/duration.js';
import type { RequestView } from '../../service/support/request-view.js';
import { escapeMrkdwn, mentionGroup, mentionUser, slackDate } from '../mrkdwn.js';
import { type SlackMessage, section, withoutEmoji } from './block-kit.js';

/**
 * Posted in the approval message's thread (and shown in the channel) when an extension waits for
 * the approvers: who may decide, and that the buttons are on the approval message, which shows
 * the running grant with its original approvals.
 */
export function extensionAskMessage(view: RequestView): SlackMessage {
  const { request, workflow, target } = view;
  const ask = request.extensionRequest;
  const notAfter = request.grant?.notAfter ?? request.updatedAt;
  const { set } = approverSetFor(workflow, request.kind, false);
  const who = [...set.users.map(mentionUser), ...set.groups.map(mentionGroup)].join(' ');
  const added = ask ? `+${formatDuration(ask.addedMs)}` : 'more time';
  const line =
    `:hourglass_flowing_sand: ${mentionUser(request.requester)} asks to extend their running access to ` +
    `*${escapeMrkdwn(target.name)}* by ${added} (to ${slackDate(notAfter + (ask?.addedMs ?? 0))}). ` +
    `${who}: approve or deny the extension on the message above.`;
  return { text: withoutEmoji(line), blocks: [section(line)] };
}
