import type { App } from '@slack/bolt';
import { isJumpgateError } from '../../domain/errors.js';
import type { VendorSessionInput } from '../../service/use-cases/vendor/vendor-session.js';
import { ACTION_IDS, VENDOR_FIELDS } from '../action-ids.js';
import { vendorSentMessage } from '../blocks/vendor-sent-message.js';
import { parseVendorMetadata } from './button-values.js';
import { type ListenerContext, replyFor } from './context.js';

/** Which modal field a refusal is about: shown under that field, where the sponsor can fix it. */
const FIELD_OF: Readonly<Record<string, string>> = {
  vendor_name_required: VENDOR_FIELDS.name.blockId,
  invalid_ssh_key: VENDOR_FIELDS.sshPublicKey.blockId,
  ticket_required: VENDOR_FIELDS.ticket.blockId,
};

/**
 * The vendor modal's submission. The vendor's name, key and ticket are checked before the modal
 * closes, and a refusal is shown under its field (`response_action: errors`); then the request
 * is recorded and the sponsor told by DM (a view submission has no response_url), as is any
 * refusal of the policy (the sponsor rules may have changed since the modal opened).
 */
export function registerVendorModalListener(app: App, context: ListenerContext): void {
  app.view(ACTION_IDS.vendorModal, async ({ ack, body, view, client }) => {
    const sponsor = body.user.id;
    const values = view.state.values;
    const read = (field: { blockId: string; actionId: string }) => values[field.blockId]?.[field.actionId]?.value ?? '';
    const vendorName = read(VENDOR_FIELDS.name);
    const sshPublicKey = read(VENDOR_FIELDS.sshPublicKey);
    const ticket = read(VENDOR_FIELDS.ticket).trim();
    const dm = (text: string, blocks?: unknown[]) =>
      client.chat.postMessage({ channel: sponsor, text, ...(blocks ? { blocks } : {}) }).catch((error: unknown) => {
        context.logger.warn({ err: error }, 'could not tell a sponsor about their vendor session');
      });
    let input: VendorSessionInput;
    try {
      const command = parseVendorMetadata(view.private_metadata);
      input = { sponsor, ...command, vendorName, sshPublicKey, ...(ticket === '' ? {} : { ticket }) };
      const errors: Record<string, string> = {};
      const checked = await withinAckWindow(
        Promise.allSettled([
          context.useCases.checkVendorDetails({ sponsor, vendorName, sshPublicKey }),
          context.useCases.checkVendorSession(input),
        ]),
      );
      // The checks read Redis: in an outage they wait for it, and Slack's 3 s would pass. The form
      // closes then, and the request (which checks everything again) answers by DM once Redis is back.
      if (checked === undefined) {
        await ack();
        return await carryOut(input);
      }
      const [details, plan] = checked;
      for (const result of [details, plan]) {
        if (result.status === 'fulfilled') continue;
        const refusal: unknown = result.reason;
        const field = isJumpgateError(refusal) ? FIELD_OF[refusal.code] : undefined;
        if (field === undefined || !isJumpgateError(refusal)) throw refusal;
        errors[field] = sentence(refusal.message);
      }
      // A form opened without the ticket field (the policy changed since) is answered by DM below.
      const hasTicketField = values[VENDOR_FIELDS.ticket.blockId] !== undefined;
      if (plan.status === 'fulfilled' && plan.value.ticketPattern !== undefined && hasTicketField) {
        errors[VENDOR_FIELDS.ticket.blockId] =
          ticket === ''
            ? `A ticket matching ${plan.value.ticketPattern} is required.`
            : `"${ticket}" does not match ${plan.value.ticketPattern}.`;
      }
      if (Object.keys(errors).length > 0) return void (await ack({ response_action: 'errors', errors }));
    } catch (error) {
      await ack();
      await dm(replyFor(context, error, { userId: sponsor, action: 'vendor-modal' }));
      return;
    }
    await ack();
    await carryOut(input);

    async function carryOut(request: VendorSessionInput): Promise<void> {
      try {
        const outcome = await context.useCases.requestVendorSession(request);
        const message = vendorSentMessage(outcome.request, outcome.postedTo);
        await dm(message.text, message.blocks);
      } catch (error) {
        await dm(replyFor(context, error, { userId: sponsor, action: 'vendor-modal' }));
      }
    }
  });
}

/**
 * How long the checks shown in the form may take: Slack closes a submission unanswered after 3 s
 * and shows the sponsor an error, so past this the form is acknowledged without them.
 */
export const FORM_CHECK_MS = 2_000;

/** The checks' results, or undefined when they take longer than FORM_CHECK_MS. */
async function withinAckWindow<T>(checks: Promise<T>): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), FORM_CHECK_MS)));
  try {
    return await Promise.race([checks, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** Slack's in-form errors show plain text: the message as a sentence. */
function sentence(message: string): string {
  const text = `${message.charAt(0).toUpperCase()}${message.slice(1)}`;
  return /[.!?]$/.test(text) ? text : `${text}.`;
}
