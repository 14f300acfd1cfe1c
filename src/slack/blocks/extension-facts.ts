import type { ActionsBlock } from '@slack/types';
import type { AccessRequest } from '../../domain/access-request.js';
import { distinctApprovers } from '../../domain/approval.js';
import { formatDuration } from '../../domain/duration.js';
import { awaitsExtension } from '../../domain/extension.js';
import { ACTION_IDS } from '../action-ids.js';
import { extensionValue } from '../listeners/button-values.js';
import { mentionUser, slackDate } from '../mrkdwn.js';
import { plainText } from './block-kit.js';

/** The extensions granted so far, one line: "+30m (at once), +1h (approved by @lead)". */
export function extensionsLine(request: AccessRequest): string | undefined {
  const extensions = request.extensions ?? [];
  if (extensions.length === 0) return undefined;
  const items = extensions.map((extension) => {
    const how =
      extension.how === 'approved'
        ? `approved by ${extension.approvals.map((approval) => mentionUser(approval.userId)).join(', ')}`
        : extension.how === 'incident'
          ? 'at once, incident open'
          : 'at once';
    return `+${formatDuration(extension.addedMs)} (${how}, ${slackDate(extension.at)})`;
  });
  return `:arrows_counterclockwise: *Extended* ${items.join(', ')}`;
}

/** The extension that waits for the approvers, marked as such, with the approvals it has so far. */
export function extensionAskLine(request: AccessRequest): string | undefined {
  const ask = request.extensionRequest;
  if (!awaitsExtension(request) || !ask || !request.grant) return undefined;
  const approvers = distinctApprovers({ approvals: ask.approvals });
  return (
    `:hourglass_flowing_sand: *Extension asked* by ${mentionUser(ask.by)} ${slackDate(ask.at)}: ` +
    `+${formatDuration(ask.addedMs)} of the running grant, to ${slackDate(request.grant.notAfter + ask.addedMs)} — ` +
    `${approvers.length} of ${ask.approvalsRequired} approvals` +
    (approvers.length > 0 ? `: ${approvers.map(mentionUser).join(', ')}` : '')
  );
}

/** The last denied extension, while the grant runs. */
export function extensionDenialLine(request: AccessRequest): string | undefined {
  const denial = request.extensionDenial;
  if (!denial || request.status !== 'active') return undefined;
  return `:no_entry: Extension +${formatDuration(denial.addedMs)} denied by ${mentionUser(denial.by)} ${slackDate(denial.at)}`;
}

/** Approve / Deny on an extension that waits for the approvers. */
export function extensionButtons(request: AccessRequest): ActionsBlock | undefined {
  const ask = request.extensionRequest;
  if (!awaitsExtension(request) || !ask) return undefined;
  const value = extensionValue(request.id, ask.window);
  return {
    type: 'actions',
    block_id: 'jump_extension_decision',
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.extensionApprove,
        text: plainText('Approve extension'),
        style: 'primary',
        value,
      },
      {
        type: 'button',
        action_id: ACTION_IDS.extensionDeny,
        text: plainText('Deny extension'),
        style: 'danger',
        value,
      },
    ],
  };
}
