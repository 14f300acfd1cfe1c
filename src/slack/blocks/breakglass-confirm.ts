import type { AccessRequest } from '../../domain/access-request.js';
import { formatDuration } from '../../domain/duration.js';
import type { BreakglassPlan } from '../../service/use-cases/breakglass/breakglass.js';
import { ACTION_IDS } from '../action-ids.js';
import { code, escapeClipped, escapeMrkdwn, mentionChannel } from '../mrkdwn.js';
import { failureText } from '../public-text.js';
import { plainText, type SlackMessage, section, withoutEmoji } from './block-kit.js';

const MAX_REASON = 1_500;

/**
 * The ephemeral confirmation `/jump breakglass` answers with: what is about to happen, and a
 * button that does it. `buttonValue` is what the Confirm click hands back (the command's input,
 * checked again then); it must already fit Slack's 2,000 characters.
 */
export function breakglassConfirm(plan: BreakglassPlan, buttonValue: string): SlackMessage {
  const what = `Breakglass access to ${escapeMrkdwn(plan.target)} for ${formatDuration(plan.durationMs)}`;
  const consequences = [
    'Access is granted at once, without approval.',
    `${mentionChannel(plan.notifyChannel)} is alerted now.`,
    `The approvers must review it within ${formatDuration(plan.reviewWithinMs)}.`,
    `Use it only in an emergency; otherwise ask with ${code(`/jump request ${plan.target}`)}.`,
    ...(plan.requiresIncident ? ['Only granted if PagerDuty shows you on call during an active incident.'] : []),
  ];
  return {
    text: `${what}: confirm or cancel`,
    blocks: [
      section(`:rotating_light: *${what}*`),
      section(consequences.map((line) => `• ${line}`).join('\n')),
      section(`*Reason*\n${escapeClipped(plan.reason, MAX_REASON)}`),
      {
        type: 'actions',
        block_id: 'jump_breakglass',
        // The value right after the action id: what a reader of the raw payload looks for first.
        elements: [
          {
            type: 'button',
            action_id: ACTION_IDS.breakglassConfirm,
            value: buttonValue,
            text: plainText('Confirm breakglass'),
            style: 'danger',
          },
          { type: 'button', action_id: ACTION_IDS.breakglassCancel, value: 'cancel', text: plainText('Cancel') },
        ],
      },
    ],
  };
}

/**
 * What replaces the confirmation once the breakglass went through. `notifyChannel` is the
 * security channel when known; the request itself does not name it.
 */
export function breakglassGranted(request: AccessRequest, notifyChannel?: string): SlackMessage {
  const alerted =
    notifyChannel === undefined ? 'the security channel was alerted' : `${mentionChannel(notifyChannel)} was alerted`;
  const line =
    request.status === 'failed'
      ? `:x: Breakglass ${code(request.id)} could not be granted: ` +
        `${escapeClipped(failureText(request.failure), MAX_REASON)}. Nothing was granted; ${alerted}.`
      : `:rotating_light: Breakglass granted: ${code(request.id)} — your certificate comes by DM; ${alerted}.`;
  return { text: withoutEmoji(line), blocks: [section(line)] };
}
