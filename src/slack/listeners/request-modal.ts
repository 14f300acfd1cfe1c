import type { App } from '@slack/bolt';
import { isDuration } from '../../domain/duration.js';
import { isJumpgateError } from '../../domain/errors.js';
import { checkReasonLength } from '../../domain/request-rules.js';
import { ACTION_IDS, REQUEST_FIELDS } from '../action-ids.js';
import { requestSentMessage } from '../blocks/request-sent-message.js';
import { type ListenerContext, replyFor } from './context.js';

/**
 * The request modal's submission. Malformed fields are shown in the modal itself; what the
 * policy refuses comes back as a DM (a view submission has no response_url).
 */
export function registerRequestModalListener(app: App, context: ListenerContext): void {
  app.view(ACTION_IDS.requestModal, async ({ ack, body, view, client }) => {
    const values = view.state.values;
    const read = (field: { blockId: string; actionId: string }) => values[field.blockId]?.[field.actionId];
    const target = read(REQUEST_FIELDS.target)?.selected_option?.value ?? '';
    const duration = read(REQUEST_FIELDS.duration)?.value?.trim() ?? '';
    const reason = read(REQUEST_FIELDS.reason)?.value ?? '';
    const ticket = read(REQUEST_FIELDS.ticket)?.value?.trim() ?? '';
    const errors: Record<string, string> = {};
    if (target === '') errors[REQUEST_FIELDS.target.blockId] = 'Choose a target.';
    if (duration !== '' && !isDuration(duration))
      errors[REQUEST_FIELDS.duration.blockId] = `"${duration}" is not a duration: use 90s, 30m, 2h, 1h30m or 1d.`;
    const reasonProblem = problemOf(() => checkReasonLength(reason));
    if (reasonProblem) errors[REQUEST_FIELDS.reason.blockId] = reasonProblem;
    if (Object.keys(errors).length > 0) {
      await ack({ response_action: 'errors', errors });
      return;
    }
    await ack();
    const userId = body.user.id;
    try {
      const outcome = await context.useCases.requestAccess({
        requester: userId,
        target,
        ...(duration ? { duration } : {}),
        reason,
        ...(ticket ? { ticket } : {}),
      });
      await client.chat.postMessage({
        channel: userId,
        ...requestSentMessage(outcome.request, outcome.postedTo, outcome.incidentCheck),
      });
    } catch (error) {
      await client.chat
        .postMessage({ channel: userId, text: replyFor(context, error, { userId, action: 'request-modal' }) })
        .catch(() => undefined);
    }
  });
}

/** The sentence of a refused field, for Slack's in-form errors (which show plain text). */
function problemOf(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (error) {
    if (!isJumpgateError(error)) throw error;
    return `${error.message.charAt(0).toUpperCase()}${error.message.slice(1)}.`;
  }
}
