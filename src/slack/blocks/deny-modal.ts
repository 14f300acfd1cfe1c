import type { ModalView } from '@slack/types';
import { ACTION_IDS, DENY_REASON } from '../action-ids.js';
import { code } from '../mrkdwn.js';
import { plainText, section } from './block-kit.js';

/** Enough to explain; the requester reads it in a DM and the audit trail keeps it. */
const MAX_REASON = 1_000;

/**
 * Asks the approver why before a request is denied: a denial without a reason leaves the
 * requester guessing. The request id rides in `private_metadata` (Slack returns it untouched,
 * but the listener still validates it: the submission comes from a client).
 */
export function denyModal(requestId: string): ModalView {
  return {
    type: 'modal',
    callback_id: ACTION_IDS.denyModal,
    private_metadata: requestId,
    title: plainText('Deny request'),
    submit: plainText('Deny'),
    close: plainText('Cancel'),
    blocks: [
      section(`Deny request ${code(requestId)}? The requester is told who denied it and why.`),
      {
        type: 'input',
        block_id: DENY_REASON.blockId,
        label: plainText('Reason'),
        optional: false,
        element: {
          type: 'plain_text_input',
          action_id: DENY_REASON.actionId,
          multiline: true,
          min_length: 1,
          max_length: MAX_REASON,
          placeholder: plainText('Why is this request denied?'),
        },
      },
    ],
  };
}
