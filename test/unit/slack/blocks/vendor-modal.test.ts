import { describe, expect, it } from 'vitest';
import type { VendorPlan } from '../../../../src/service/use-cases/vendor/vendor-session.js';
import { VENDOR_FIELDS } from '../../../../src/slack/action-ids.js';
import { vendorModal } from '../../../../src/slack/blocks/vendor-modal.js';
import { vendorSentMessage } from '../../../../src/slack/blocks/vendor-sent-message.js';
import { parseVendorMetadata, vendorMetadata } from '../../../../src/slack/listeners/button-values.js';
import { accessRequest } from '../../../support/builders.js';
import { HOSTILE, textsOf, unescapedControls } from '../../../support/slack-builders.js';

const PLAN: VendorPlan = {
  vendorEmail: 'jane@acme.example',
  target: 'vendor-gw',
  workflow: 'vendor-support',
  durationMs: 3_600_000,
  maxDurationMs: 7_200_000,
  reason: 'upgrade the firmware',
  principals: ['vendor'],
  allowPty: false,
  approvalsRequired: 2,
};

describe('vendorModal', () => {
  it('shows the session and its restrictions, and asks for the vendor’s name and key', () => {
    const view = vendorModal(PLAN, '{"x":1}');
    expect(view.callback_id).toBe('jump_vendor_modal');
    expect(view.private_metadata).toBe('{"x":1}');
    const text = textsOf(view.blocks).join('\n');
    expect(text).toContain('*Vendor session on vendor-gw* for jane@acme.example, 1h (at most 2h)');
    expect(text).toContain('logs in as `vendor`; no port, agent or X11 forwarding; no interactive shell (PTY)');
    expect(text).toContain('2 vendor approvers must approve; you sponsor it, so you cannot approve it yourself');
    const inputs = view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id);
    expect(inputs).toEqual([VENDOR_FIELDS.name.blockId, VENDOR_FIELDS.sshPublicKey.blockId]);
  });

  it('asks for a ticket only when the workflow needs one the reason lacks', () => {
    const view = vendorModal({ ...PLAN, ticketPattern: '^CHG-[0-9]+$' }, '{}');
    const inputs = view.blocks.filter((block) => block.type === 'input').map((block) => block.block_id);
    expect(inputs).toContain(VENDOR_FIELDS.ticket.blockId);
  });

  it('escapes what the sponsor typed', () => {
    const view = vendorModal({ ...PLAN, reason: HOSTILE }, '{}');
    expect(unescapedControls(textsOf(view.blocks).join('\n'))).toEqual([]);
  });
});

describe('the vendor form’s private_metadata', () => {
  it('carries the command there and back', () => {
    const input = { vendorEmail: 'jane@acme.example', target: 'vendor-gw', duration: '1h', reason: 'why' };
    expect(parseVendorMetadata(vendorMetadata(input))).toEqual(input);
  });

  it('refuses anything this version did not write', () => {
    expect(() => parseVendorMetadata('{"target":"x"}')).toThrow('run /jump vendor again');
    expect(() => parseVendorMetadata('not json')).toThrow('run /jump vendor again');
  });
});

describe('vendorSentMessage', () => {
  it('tells the sponsor where it went, that they cannot approve it, and offers Cancel', () => {
    const request = accessRequest({
      id: 'req_vend1',
      kind: 'vendor',
      target: 'vendor-gw',
      approvalsRequired: 2,
      vendor: { email: 'jane@acme.example', name: 'Jane <Acme>' },
    });
    const message = vendorSentMessage(request, 'C0VENDOR');
    expect(message.text).toContain(
      'Vendor session request `req_vend1` for Jane &lt;Acme&gt; &lt;jane@acme.example&gt; on *vendor-gw* (30m) sent to <#C0VENDOR>.',
    );
    expect(message.text).toContain(
      'It needs 2 approvals from the vendor approvers; as its sponsor you cannot approve it yourself.',
    );
    expect(JSON.stringify(message.blocks)).toContain('jump_cancel');
  });
});
