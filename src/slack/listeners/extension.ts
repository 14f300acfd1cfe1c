import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import { ACTION_IDS } from '../action-ids.js';
import type { SlackMessage } from '../blocks/block-kit.js';
import { extendReply } from '../blocks/extend-reply.js';
import { revokedMessage } from '../blocks/revoked-message.js';
import { publishHome } from './app-home.js';
import { grantIdSchema, parseExtendValue, parseExtensionValue } from './button-values.js';
import { type ListenerContext, replyFor } from './context.js';

/** Every Extend button (`jump_extend_<ms>`, one per step in a block). */
const EXTEND_ACTION = new RegExp(`^${ACTION_IDS.extend}(_\\d+)?$`);

/**
 * Extend and I'm done, on the expiry warning DM, `/jump list` and App Home; Approve and Deny on an
 * extension that waits for the approvers. Who clicked comes from the signed payload. A click on
 * App Home has no response_url: the tab is rendered again instead, and a refusal goes by DM.
 */
export function registerExtensionListeners(app: App, context: ListenerContext): void {
  app.action<BlockAction<ButtonAction>>(EXTEND_ACTION, async ({ ack, body, action, respond, client }) => {
    await ack();
    const userId = body.user.id;
    const answer = answerer(context, body, client, respond);
    try {
      const { grantId, addedMs } = parseExtendValue(action.value);
      const outcome = await context.useCases.extendGrant({ grantId, userId, addedMs });
      // Extended, the clicked message's end time and buttons are out of date: it is replaced.
      await answer.done(extendReply(outcome), outcome.outcome === 'extended');
    } catch (error) {
      await answer.refused(replyFor(context, error, { userId, action: 'extend' }));
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.done, async ({ ack, body, action, respond, client }) => {
    await ack();
    const userId = body.user.id;
    const answer = answerer(context, body, client, respond);
    try {
      // The same path as /jump revoke: the broker revokes, the approval message and the DM follow.
      const ended = await context.useCases.revokeGrant({ grantId: grantIdSchema.parse(action.value), userId });
      await answer.done(revokedMessage(ended), true);
    } catch (error) {
      await answer.refused(replyFor(context, error, { userId, action: 'done' }));
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.extensionApprove, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const { requestId, window } = parseExtensionValue(action.value);
      const { request, complete } = await context.useCases.approveExtension({ requestId, window, userId });
      const text = complete
        ? `You approved the extension of ${request.grant?.id ?? request.id}: it now ends ${new Date(request.grant?.notAfter ?? 0).toISOString()}.`
        : `You approved the extension of ${request.id}: ${request.extensionRequest?.approvals.length ?? 0} of ${request.extensionRequest?.approvalsRequired ?? 0} approvals so far.`;
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: replyFor(context, error, { userId, action: 'approve_extension' }),
      }).catch((e: unknown) => context.logger.warn({ err: e }, 'could not answer a click'));
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.extensionDeny, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const { requestId, window } = parseExtensionValue(action.value);
      const request = await context.useCases.denyExtension({ requestId, window, userId });
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: `You denied the extension of ${request.grant?.id ?? request.id}; the grant keeps its end.`,
      });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: replyFor(context, error, { userId, action: 'deny_extension' }),
      }).catch((e: unknown) => context.logger.warn({ err: e }, 'could not answer a click'));
    }
  });
}

/** How a click on a grant's buttons is answered: in place of its message, or on App Home. */
function answerer(
  context: ListenerContext,
  body: BlockAction<ButtonAction>,
  client: WebClient,
  respond: ((message: Record<string, unknown>) => Promise<unknown>) | undefined,
) {
  const userId = body.user.id;
  const onHome = body.container?.type === 'view' || !body.response_url;
  const warn = (e: unknown) => context.logger.warn({ err: e, userId }, 'could not answer a click');
  return {
    /** `replace`: the clicked message is replaced (its buttons no longer apply). */
    async done(message: SlackMessage, replace: boolean): Promise<void> {
      if (onHome) return publishHome(context, client, userId);
      await (
        respond?.({ replace_original: replace, response_type: 'ephemeral', ...message }) ?? Promise.resolve()
      ).catch(warn);
    },
    async refused(text: string): Promise<void> {
      if (onHome) {
        await client.chat.postMessage({ channel: userId, text }).catch(warn);
        return;
      }
      await (respond?.({ response_type: 'ephemeral', replace_original: false, text }) ?? Promise.resolve()).catch(warn);
    },
  };
}
