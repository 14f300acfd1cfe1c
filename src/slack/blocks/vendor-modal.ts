import type { KnownBlock, ModalView } from '@slack/types';
import { formatDuration } from '../../domain/duration.js';
import { MAX_VENDOR_NAME } from '../../domain/vendor-session.js';
import type { VendorPlan } from '../../service/use-cases/vendor/vendor-session.js';
import { ACTION_IDS, VENDOR_FIELDS } from '../action-ids.js';
import { code, escapeClipped, escapeMrkdwn } from '../mrkdwn.js';
import { context, plainText, section } from './block-kit.js';

const MAX_REASON = 1_500;
/** An RSA 4096 public key line is about 750 characters; 16 KiB is what any key check takes. */
const MAX_KEY = 16_384;

/**
 * The modal `/jump vendor …` opens once the sponsor, target and duration passed: who the vendor
 * is and the key their certificate is for (a ticket too, when the workflow needs one the reason
 * lacks). `metadata` is the command's input (see `vendorMetadata`), checked again on submission.
 */
export function vendorModal(plan: VendorPlan, metadata: string): ModalView {
  const limits = [
    `logs in as ${plan.principals.map(code).join(', ')}`,
    'no port, agent or X11 forwarding',
    plan.allowPty ? 'an interactive shell (PTY) is allowed' : 'no interactive shell (PTY)',
  ];
  const blocks: KnownBlock[] = [
    section(
      `*Vendor session on ${escapeMrkdwn(plan.target)}* for ${escapeMrkdwn(plan.vendorEmail)}, ` +
        `${formatDuration(plan.durationMs)} (at most ${formatDuration(plan.maxDurationMs)})\n` +
        `*Reason*\n${escapeClipped(plan.reason, MAX_REASON)}`,
    ),
    context(
      `The vendor ${limits.join('; ')}. ${plan.approvalsRequired} vendor ${plan.approvalsRequired === 1 ? 'approver' : 'approvers'} must approve; ` +
        'you sponsor it, so you cannot approve it yourself. The certificate comes to you by DM to pass on.',
    ),
    {
      type: 'input',
      block_id: VENDOR_FIELDS.name.blockId,
      label: plainText('Vendor name and company'),
      hint: plainText('Who will log in, as the approvers and the audit trail should name them.'),
      element: {
        type: 'plain_text_input',
        action_id: VENDOR_FIELDS.name.actionId,
        placeholder: plainText('Jane Doe, Acme Support'),
        max_length: MAX_VENDOR_NAME,
      },
    },
    {
      type: 'input',
      block_id: VENDOR_FIELDS.sshPublicKey.blockId,
      label: plainText("Vendor's SSH public key"),
      hint: plainText(
        'The one line of the .pub file the vendor sent you (ssh-ed25519 AAAA…). Never a private key: the vendor keeps that.',
      ),
      element: {
        type: 'plain_text_input',
        action_id: VENDOR_FIELDS.sshPublicKey.actionId,
        multiline: true,
        placeholder: plainText('ssh-ed25519 AAAA… jane@acme'),
        max_length: MAX_KEY,
      },
    },
  ];
  if (plan.ticketPattern !== undefined) {
    blocks.push({
      type: 'input',
      block_id: VENDOR_FIELDS.ticket.blockId,
      label: plainText('Ticket'),
      hint: plainText(`This target needs a ticket matching ${plan.ticketPattern}.`),
      element: { type: 'plain_text_input', action_id: VENDOR_FIELDS.ticket.actionId, max_length: 200 },
    });
  }
  return {
    type: 'modal',
    callback_id: ACTION_IDS.vendorModal,
    private_metadata: metadata,
    title: plainText('Vendor session'),
    submit: plainText('Request'),
    close: plainText('Cancel'),
    blocks,
  };
}
