import type { App } from '@slack/bolt';
import type { ModalView } from '@slack/types';
import pLimit from 'p-limit';
import { parseDuration } from '../../domain/duration.js';
import { breakglassConfirm } from '../blocks/breakglass-confirm.js';
import { extendReply } from '../blocks/extend-reply.js';
import { helpMessage } from '../blocks/help-message.js';
import { keyRegisteredMessage } from '../blocks/key-registered-message.js';
import { listMessage } from '../blocks/list-message.js';
import { modalTargets, requestModal } from '../blocks/request-modal.js';
import { requestSentMessage } from '../blocks/request-sent-message.js';
import { revokedMessage } from '../blocks/revoked-message.js';
import { targetsMessage } from '../blocks/targets-message.js';
import { vendorModal } from '../blocks/vendor-modal.js';
import { parseCommand, type SlashCommand } from '../parse-command.js';
import { breakglassValue, MAX_BUTTON_VALUE, MAX_PRIVATE_METADATA, vendorMetadata } from './button-values.js';
import { type ListenerContext, replyFor } from './context.js';

/** Said instead of the confirmation when the command's input cannot ride on its Confirm button. */
export const REASON_TOO_LONG =
  ':warning: Nothing was granted: the reason is too long for breakglass (at most ~1900 characters).';

/** Said instead of the vendor modal when the command's input cannot ride in the modal. */
export const VENDOR_REASON_TOO_LONG =
  ':warning: Nothing was requested: the vendor’s email and reason are too long to carry into the vendor form; shorten the reason.';

/**
 * How many commands are carried out at once. A burst is acknowledged at once, then worked
 * through this many at a time: the work of hundreds of commands interleaved on one event loop
 * would delay every acknowledgement behind it (Slack's deadline is 3 s) and hold as many Redis
 * and Slack calls in flight.
 */
export const COMMAND_LANE = 16;

/**
 * `/jump …`: acknowledged at once (Slack's deadline is 3 s), then parsed and carried out through
 * the command lane; every answer is ephemeral, through the command's response_url.
 */
export function registerCommandListener(app: App, context: ListenerContext): void {
  const lane = pLimit(COMMAND_LANE);
  app.command('/jump', async ({ command, ack, respond, client }) => {
    await ack();
    // Commands that open a modal never wait in the lane: their trigger id is good for 3 s only.
    if (opensModal(command.text)) return carryOut();
    // The work starts after the I/O already waiting (other commands' acks first): in a burst, an
    // ack must not wait behind the work of the commands acknowledged before it.
    await new Promise((resolve) => setImmediate(resolve));
    await lane(carryOut);

    async function carryOut(): Promise<void> {
      const userId = command.user_id;
      const reply = (message: { text: string; blocks?: unknown[] }) =>
        respond({ response_type: 'ephemeral', replace_original: false, ...message });
      try {
        const parsed = parseCommand(command.text);
        await run(parsed, {
          userId,
          triggerId: command.trigger_id,
          reply,
          openView: (view) => client.views.open({ trigger_id: command.trigger_id, view }),
        });
      } catch (error) {
        await reply({ text: replyFor(context, error, { userId, command: command.text.split(/\s+/)[0] }) }).catch(
          (e: unknown) => context.logger.warn({ err: e }, 'could not answer a slash command'),
        );
      }
    }
  });

  function opensModal(text: string): boolean {
    try {
      const { name } = parseCommand(text);
      return name === 'request-modal' || name === 'vendor';
    } catch {
      return false;
    }
  }

  async function run(
    command: SlashCommand,
    io: {
      userId: string;
      triggerId: string;
      reply: (message: { text: string; blocks?: unknown[] }) => Promise<unknown>;
      openView: (view: ModalView) => Promise<unknown>;
    },
  ): Promise<void> {
    const now = (context.now ?? Date.now)();
    const { useCases } = context;
    switch (command.name) {
      case 'help':
        return void (await io.reply(helpMessage()));
      case 'request-modal': {
        const targets = await useCases.listTargets(io.userId);
        return void (await io.openView(requestModal(modalTargets(targets))));
      }
      case 'request': {
        const outcome = await useCases.requestAccess({
          requester: io.userId,
          target: command.target,
          duration: command.duration,
          reason: command.reason,
        });
        return void (await io.reply(requestSentMessage(outcome.request, outcome.postedTo, outcome.incidentCheck)));
      }
      case 'key':
        return void (await io.reply(
          keyRegisteredMessage(await useCases.registerKey({ userId: io.userId, text: command.key })),
        ));
      case 'list':
        return void (await io.reply(listMessage(await useCases.listMine(io.userId), now)));
      case 'targets':
        return void (await io.reply(targetsMessage(await useCases.listTargets(io.userId))));
      case 'revoke':
        return void (await io.reply(
          revokedMessage(await useCases.revokeGrant({ grantId: command.grantId, userId: io.userId })),
        ));
      case 'breakglass': {
        // Nothing is granted yet: the person first reads what will happen, then confirms.
        const input = {
          target: command.target,
          ...(command.duration === undefined ? {} : { duration: command.duration }),
          reason: command.reason,
        };
        const plan = await useCases.checkBreakglass({ requester: io.userId, ...input });
        const value = breakglassValue(input);
        if (value.length > MAX_BUTTON_VALUE) return void (await io.reply({ text: REASON_TOO_LONG }));
        return void (await io.reply(breakglassConfirm(plan, value)));
      }
      case 'vendor': {
        // Sponsor, target and duration are checked before the modal asks who the vendor is.
        const input = {
          vendorEmail: command.vendorEmail,
          target: command.target,
          duration: command.duration,
          reason: command.reason,
        };
        const plan = await useCases.checkVendorSession({ sponsor: io.userId, ...input });
        const metadata = vendorMetadata({ ...input, vendorEmail: plan.vendorEmail, reason: plan.reason });
        if (metadata.length > MAX_PRIVATE_METADATA) return void (await io.reply({ text: VENDOR_REASON_TOO_LONG }));
        return void (await io.openView(vendorModal(plan, metadata)));
      }
      case 'extend':
        return void (await io.reply(
          extendReply(
            await useCases.extendGrant({
              grantId: command.grantId,
              userId: io.userId,
              addedMs: parseDuration(command.duration),
            }),
          ),
        ));
    }
  }
}
