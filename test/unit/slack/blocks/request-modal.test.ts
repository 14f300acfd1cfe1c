import type { InputBlock, PlainTextInput, StaticSelect } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { REQUEST_FIELDS } from '../../../../src/slack/action-ids.js';
import { type ModalTarget, requestModal } from '../../../../src/slack/blocks/request-modal.js';
import { textsOf } from '../../../support/slack-builders.js';

const HOUR = 3_600_000;
const TARGETS: ModalTarget[] = [
  { name: 'prod-db', workflow: 'production', maxDuration: 4 * HOUR, defaultDuration: HOUR / 2 },
  { name: 'staging-web', workflow: 'staging', maxDuration: 8 * HOUR, defaultDuration: HOUR },
];

function input(modal: ReturnType<typeof requestModal>, blockId: string): InputBlock {
  const block = modal.blocks.find((b): b is InputBlock => b.type === 'input' && b.block_id === blockId);
  if (!block) throw new Error(`no input ${blockId}`);
  return block;
}

describe('requestModal', () => {
  const modal = requestModal(TARGETS);

  it('is the request modal, with a submit button', () => {
    expect(modal).toMatchObject({ type: 'modal', callback_id: 'jump_request_modal', submit: { text: 'Request' } });
    expect(modal.title.text.length).toBeLessThanOrEqual(24);
  });

  it('offers exactly the targets given, with their default and maximum durations', () => {
    const select = input(modal, REQUEST_FIELDS.target.blockId).element as StaticSelect;
    expect(select.action_id).toBe(REQUEST_FIELDS.target.actionId);
    expect(select.options).toEqual([
      {
        text: { type: 'plain_text', text: 'prod-db', emoji: true },
        value: 'prod-db',
        description: { type: 'plain_text', text: 'default 30m, max 4h · production', emoji: true },
      },
      {
        text: { type: 'plain_text', text: 'staging-web', emoji: true },
        value: 'staging-web',
        description: { type: 'plain_text', text: 'default 1h, max 8h · staging', emoji: true },
      },
    ]);
    expect(input(modal, REQUEST_FIELDS.target.blockId).optional).toBeUndefined();
  });

  it('has an optional duration whose hint shows the allowed forms', () => {
    const duration = input(modal, REQUEST_FIELDS.duration.blockId);
    expect(duration.optional).toBe(true);
    expect((duration.element as PlainTextInput).action_id).toBe(REQUEST_FIELDS.duration.actionId);
    expect(duration.hint?.text).toBe(
      "Like 90s, 30m, 2h, 1h30m or 1d. Leave it empty for the target's default, shown with each target.",
    );
  });

  it('has a required multiline reason and an optional ticket', () => {
    const reason = input(modal, REQUEST_FIELDS.reason.blockId);
    expect(reason.optional).toBeUndefined();
    expect(reason.element).toMatchObject({
      type: 'plain_text_input',
      action_id: REQUEST_FIELDS.reason.actionId,
      multiline: true,
    });
    const ticket = input(modal, REQUEST_FIELDS.ticket.blockId);
    expect(ticket.optional).toBe(true);
    expect(ticket.element).toMatchObject({ type: 'plain_text_input', action_id: REQUEST_FIELDS.ticket.actionId });
  });

  it('stops the reason at the length a request takes, and says so', () => {
    const reason = input(modal, REQUEST_FIELDS.reason.blockId);
    expect((reason.element as PlainTextInput).max_length).toBe(1_000);
    expect(reason.hint?.text).toContain('At most 1,000 characters.');
  });

  it('says there is nothing to request, with no submit button, when no target is given', () => {
    const empty = requestModal([]);
    expect(empty.submit).toBeUndefined();
    expect(textsOf(empty.blocks)).toEqual([
      'There is no target you may request. Ask the owners of the workflows to add you.',
    ]);
  });

  it('offers at most 100 targets (Slack’s limit) and says how to ask for the others', () => {
    const many = Array.from({ length: 120 }, (_, i) => ({ ...TARGETS[0]!, name: `host-${i}` }));
    const big = requestModal(many);
    expect((input(big, REQUEST_FIELDS.target.blockId).element as StaticSelect).options).toHaveLength(100);
    expect(textsOf(big.blocks).at(-1)).toBe(
      'Showing 100 of 120 targets; for the others type `/jump request &lt;target&gt; [&lt;duration&gt;] [&lt;reason…&gt;]`',
    );
  });
});
