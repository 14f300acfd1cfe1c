import { describe, expect, it } from 'vitest';
import { ACTION_IDS, DENY_REASON } from '../../../../src/slack/action-ids.js';
import { denyModal } from '../../../../src/slack/blocks/deny-modal.js';

describe('denyModal', () => {
  const modal = denyModal('req_abc');

  it('is the deny modal for the request, which Slack hands back on submit', () => {
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'jump_deny_modal', private_metadata: 'req_abc' });
    expect(ACTION_IDS.denyModal).toBe('jump_deny_modal');
    expect(modal.submit).toEqual({ type: 'plain_text', text: 'Deny', emoji: true });
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
  });

  it('asks for a required, multiline reason under the ids the listener reads', () => {
    const input = modal.blocks.find((block) => block.type === 'input');
    expect(input).toEqual({
      type: 'input',
      block_id: DENY_REASON.blockId,
      label: { type: 'plain_text', text: 'Reason', emoji: true },
      optional: false,
      element: {
        type: 'plain_text_input',
        action_id: DENY_REASON.actionId,
        multiline: true,
        min_length: 1,
        max_length: 1_000,
        placeholder: { type: 'plain_text', text: 'Why is this request denied?', emoji: true },
      },
    });
  });

  it('names the request and says the requester will read the reason', () => {
    expect(modal.blocks[0]).toEqual({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: 'Deny request `req_abc`? The requester is told who denied it and why.',
        verbatim: true,
      },
    });
  });
});
