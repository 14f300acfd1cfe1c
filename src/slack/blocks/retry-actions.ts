import type { ActionsBlock } from '@slack/types';
import { distinctApprovers } from '../../domain/approval.js';
import { retryable } from '../../domain/grant-retry.js';
import type { RequestView } from '../../service/support/request-view.js';
import { ACTION_IDS } from '../action-ids.js';
import { mentionUser } from '../mrkdwn.js';
import { plainText } from './block-kit.js';

/**
 * The Retry button of a request that failed because the broker stayed unreachable, while its
 * approvals are fresh and its window has not ended: it asks for the same grant again without new
 * approvals. A click is checked again (the message is not re-rendered as time passes).
 */
export function retryActions(view: RequestView, now: number): ActionsBlock | undefined {
  const { request, workflow } = view;
  if (!retryable(request, workflow.access.requestTimeout, now)) return undefined;
  return {
    type: 'actions',
    block_id: 'jump_retry',
    elements: [
      {
        type: 'button',
        action_id: ACTION_IDS.retryGrant,
        text: plainText('Retry'),
        style: 'primary',
        value: request.id,
      },
    ],
  };
}

/** "Approved by @a, @b — waiting for the access broker; …": the line of a request that waits for the broker. */
export function waitingLine(view: RequestView): string {
  return `:hourglass: Approved${approvedBy(view)} — ${WAITING}`;
}

export const WAITING = 'waiting for the access broker; access is granted as soon as it answers';

/** " by @a, @b" (the distinct approvers), or nothing when nobody had to approve. */
export function approvedBy(view: RequestView): string {
  const approvers = distinctApprovers(view.request);
  return approvers.length > 0 ? ` by ${approvers.map(mentionUser).join(', ')}` : '';
}
