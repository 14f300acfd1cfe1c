import type { App, BlockAction, ButtonAction } from '@slack/bolt';
import { ACTION_IDS, DENY_REASON } from '../action-ids.js';
import { denyModal } from '../blocks/deny-modal.js';
import { parseRetryValue, requestIdSchema } from './button-values.js';
import { type ListenerContext, replyFor } from './context.js';

/**
 * Approve, Deny and Retry on the approval message (Cancel and Retry on the requester's DM too). Who clicked comes from the signed payload; the use
 * case decides whether it counts. A refused click gets an ephemeral reply saying why.
 */
export function registerApprovalListeners(app: App, context: ListenerContext): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.approve, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const requestId = requestIdSchema.parse(action.value);
      const outcome = await context.useCases.approveRequest({ requestId, userId });
      const { request } = outcome;
      const text = outcome.complete
        ? `You approved ${request.id}: access to ${request.target} is being granted.`
        : `You approved ${request.id}: ${request.approvals.length} of ${request.approvalsRequired} approvals so far.`;
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: replyFor(context, error, { userId, action: 'approve' }),
      }).catch((e: unknown) => context.logger.warn({ err: e }, 'could not answer a click'));
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.deny, async ({ ack, body, action, client, respond }) => {
    await ack();
    try {
      const requestId = requestIdSchema.parse(action.value);
      await client.views.open({ trigger_id: body.trigger_id, view: denyModal(requestId) });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: replyFor(context, error, { userId: body.user.id, action: 'deny' }),
      }).catch(() => undefined);
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.cancel, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const cancelled = await context.useCases.cancelRequest({
        requestId: requestIdSchema.parse(action.value),
        userId,
      });
      await respond({
        replace_original: true,
        text: `Request ${cancelled.id} for ${cancelled.target} is cancelled; nothing was granted.`,
      });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: replyFor(context, error, { userId, action: 'cancel' }),
      }).catch(() => undefined);
    }
  });

  // Retry on a request whose broker stayed unreachable: the same grant, without new approvals.
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.retryGrant, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const request = await context.useCases.retryGrant({ requestId: parseRetryValue(action.value), userId });
      const text =
        request.status === 'active'
          ? `You retried ${request.id}: access to ${request.target} is granted (the certificate is in the requester's DM).`
          : request.status === 'approved'
            ? `You retried ${request.id}: the access broker is still not answering; access is granted as soon as it does.`
            : `You retried ${request.id}, but access could not be granted: the request is ${request.status.replace('_', ' ')}.`;
      await respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (error) {
      await respond({
        response_type: 'ephemeral',
        replace_original: false,
        text: replyFor(context, error, { userId, action: 'retry' }),
      }).catch((e: unknown) => context.logger.warn({ err: e }, 'could not answer a click'));
    }
  });

  app.view(ACTION_IDS.denyModal, async ({ ack, body, view, client }) => {
    const reason = view.state.values[DENY_REASON.blockId]?.[DENY_REASON.actionId]?.value?.trim() ?? '';
    if (reason === '') {
      await ack({
        response_action: 'errors',
        errors: { [DENY_REASON.blockId]: 'Say why the request is denied: the requester reads it.' },
      });
      return;
    }
    await ack();
    const userId = body.user.id;
    try {
      await context.useCases.denyRequest({ requestId: requestIdSchema.parse(view.private_metadata), userId, reason });
    } catch (error) {
      // A view submission has no response_url: tell the approver in a DM.
      await client.chat
        .postMessage({ channel: userId, text: replyFor(context, error, { userId, action: 'deny' }) })
        .catch(() => undefined);
    }
  });
}
