import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { ACTION_IDS } from '../action-ids.js';
import { breakglassGranted } from '../blocks/breakglass-confirm.js';
import { parseBreakglassValue, requestIdSchema } from './button-values.js';
import { type ListenerContext, replyFor } from './context.js';

export const BREAKGLASS_CANCELLED = 'Breakglass cancelled; nothing was granted.';

/**
 * The buttons of breakglass: Confirm and Cancel on the ephemeral confirmation of
 * `/jump breakglass`, and "Reviewed: OK" and "Flag" on its message in the approvers' channel.
 * Who clicked comes from the signed payload; the use cases decide whether it counts. A refusal
 * is an ephemeral reply and leaves the confirmation in place, so the person can fix the cause
 * (register a key, say) and click again.
 */
export function registerBreakglassListeners(app: App, context: ListenerContext): void {
  app.action<BlockAction<ButtonAction>>(ACTION_IDS.breakglassConfirm, async ({ ack, body, action, respond }) => {
    await ack();
    const userId = body.user.id;
    try {
      const input = parseBreakglassValue(action.value);
      const { request } = await context.useCases.breakglass({ requester: userId, ...input });
      const channel = await securityChannel(context, userId, request.target);
      await respond({ replace_original: true, ...breakglassGranted(request, channel) });
    } catch (error) {
      await refuse(context, respond, error, { userId, action: 'breakglass' });
    }
  });

  app.action<BlockAction<ButtonAction>>(ACTION_IDS.breakglassCancel, async ({ ack, respond }) => {
    await ack();
    await respond({ replace_original: true, text: BREAKGLASS_CANCELLED }).catch((e: unknown) =>
      context.logger.warn({ err: e }, 'could not answer a click'),
    );
  });

  for (const [actionId, outcome] of [
    [ACTION_IDS.reviewOk, 'ok'],
    [ACTION_IDS.reviewFlag, 'flagged'],
  ] as const) {
    app.action<BlockAction<ButtonAction>>(actionId, async ({ ack, body, action, respond }) => {
      await ack();
      const userId = body.user.id;
      try {
        const requestId = requestIdSchema.parse(action.value);
        const reviewed = await context.useCases.reviewBreakglass({ requestId, userId, outcome });
        const text =
          outcome === 'ok'
            ? `Recorded: you reviewed ${reviewed.id} as OK.`
            : `Recorded: you flagged ${reviewed.id}; the security channel was told.`;
        await respond({ response_type: 'ephemeral', replace_original: false, text });
      } catch (error) {
        await refuse(context, respond, error, { userId, action: `review-${outcome}` });
      }
    });
  }
}

/**
 * The workflow's security channel, for the "was alerted" line: the request does not name it,
 * the caller's targets do. A lookup that fails only makes the line say "the security channel".
 */
async function securityChannel(context: ListenerContext, userId: string, target: string): Promise<string | undefined> {
  try {
    const targets = await context.useCases.listTargets(userId);
    return targets.find((entry) => entry.target.name === target)?.workflow.breakglass?.notifyChannel;
  } catch (error) {
    context.logger.warn({ err: error, userId }, 'could not look up the security channel of a breakglass');
    return undefined;
  }
}

async function refuse(
  context: ListenerContext,
  respond: RespondFn,
  error: unknown,
  where: Record<string, unknown>,
): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text: replyFor(context, error, where) }).catch(
    (e: unknown) => context.logger.warn({ err: e }, 'could not answer a click'),
  );
}
