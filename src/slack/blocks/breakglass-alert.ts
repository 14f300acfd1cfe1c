import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../domain/duration.js';
import type { RequestView } from '../../service/support/request-view.js';
import { code, escapeClipped, escapeMrkdwn, mentionChannel, mentionUser, slackDate } from '../mrkdwn.js';
import { context, type SlackMessage, section } from './block-kit.js';
import { incidentLink } from './incident-facts.js';
import { escapedList, hostsOf, principalsOf } from './request-facts.js';

const MAX_REASON = 2_500;

/**
 * The loud message in the workflow's security channel when someone takes breakglass access:
 * `<!here>` on purpose (the one place Jumpgate pings a channel), who took what, until when and
 * why, and where the post-hoc review happens. Everything typed or configured is escaped, so the
 * only ping is ours.
 */
export function breakglassAlert(view: RequestView): SlackMessage {
  const { request, workflow, target } = view;
  const takenAt = request.grant?.notBefore ?? request.createdAt;
  const dueAt = request.review?.dueAt ?? takenAt + (workflow.breakglass?.reviewWithin ?? 0);
  const reviewChannel = request.message?.channel ?? workflow.access.channel;
  const access = `${escapedList(principalsOf(view))} on ${escapedList(hostsOf(view))}`;
  const lead =
    `<!here> :rotating_light: Breakglass: ${mentionUser(request.requester)} took access to *${escapeMrkdwn(target.name)}* ` +
    `(${access}) for ${formatDuration(request.durationMs)} at ${slackDate(takenAt)}.`;

  const blocks: KnownBlock[] = [
    section(lead),
    section(`*Reason*\n${request.reason.trim() === '' ? '—' : escapeClipped(request.reason, MAX_REASON)}`),
  ];
  if (request.incident) blocks.push(section(`Justified by incident ${incidentLink(request.incident)}`));
  blocks.push(
    section(`Review due by ${slackDate(dueAt)} in ${mentionChannel(reviewChannel)}.`),
    context(`Request ${code(request.id)}`),
  );

  const text = `<!here> Breakglass: ${mentionUser(request.requester)} took access to ${escapeMrkdwn(target.name)} for ${formatDuration(request.durationMs)}`;
  return { text, blocks };
}
