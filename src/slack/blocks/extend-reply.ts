import { formatDuration } from '../../domain/duration.js';
import type { ExtendOutcome } from '../../service/use-cases/grant/extend-access.js';
import { code, escapeMrkdwn, mentionGroup, mentionUser, slackDate } from '../mrkdwn.js';
import { type SlackMessage, section, withoutEmoji } from './block-kit.js';

/** The answer to `/jump extend` and an Extend click: extended now, or asked of the approvers. */
export function extendReply(outcome: ExtendOutcome): SlackMessage {
  const { request } = outcome;
  const target = escapeMrkdwn(request.target);
  const grant = request.grant;
  let line: string;
  if (outcome.outcome === 'extended') {
    const last = request.extensions?.at(-1);
    line =
      `:arrows_counterclockwise: Extended your access to *${target}*` +
      (last ? ` by +${formatDuration(last.addedMs)}` : '') +
      ` until ${slackDate(grant?.notAfter ?? request.updatedAt)}: the grant is ${code(grant?.id ?? request.id)} now. ` +
      'The new certificate is in your DMs; the old one is revoked.';
  } else {
    const ask = request.extensionRequest;
    const who = [...outcome.approvers.users.map(mentionUser), ...outcome.approvers.groups.map(mentionGroup)];
    line =
      `:hourglass_flowing_sand: The extension` +
      (ask ? ` (+${formatDuration(ask.addedMs)})` : '') +
      ` of your access to *${target}* goes beyond what is granted at once: ` +
      `${who.length > 0 ? who.join(', ') : 'the approvers'} ${who.length === 1 ? 'is' : 'are'} asked. ` +
      `You get a DM when they decide; until then it ends at ${slackDate(grant?.notAfter ?? request.updatedAt)}.`;
  }
  return { text: withoutEmoji(line), blocks: [section(line)] };
}
