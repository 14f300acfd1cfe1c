import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../service/ports/clock.js';
import type { Alert, Notice, Notifier } from '../service/ports/notifier.js';
import type { RequestView } from '../service/support/request-view.js';

/**
 * What the outbox keeps of a message: what it is about, never its rendering. Messages about a
 * request are rendered when they are sent, from the request's state then (so a queued update
 * shows the latest state, and an outage costs Redis a few dozen bytes per message); `at` is when
 * it was queued, the time a notice speaks of.
 */
export const outboxMessageSchema = z.discriminatedUnion('k', [
  z.object({ k: z.literal('post'), r: z.string(), at: z.number() }),
  z.object({ k: z.literal('update'), r: z.string(), at: z.number() }),
  z.object({ k: z.literal('remind'), r: z.string(), at: z.number() }),
  z.object({ k: z.literal('ask'), r: z.string(), at: z.number() }),
  z.object({ k: z.literal('breakglass'), r: z.string(), at: z.number() }),
  z.object({
    k: z.literal('notice'),
    r: z.string(),
    at: z.number(),
    u: z.string(),
    n: z.enum(['granted', 'extended', 'extension_denied', 'waiting', 'expiring', 'ended', 'closed']),
    cert: z.string().optional(),
  }),
  z.object({
    k: z.literal('alert'),
    at: z.number(),
    ch: z.string(),
    text: z.string(),
    r: z.string().optional(),
  }),
]);
export type OutboxMessage = z.infer<typeof outboxMessageSchema>;

/** What the outbox is given: ids say what a message is, so asking twice queues it once (no ':' in them). */
export interface QueuedMessage {
  readonly id: string;
  readonly conversation: string;
  readonly body: string;
  readonly once: boolean;
}

const short = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 16);

/**
 * The Notifier port over the outbox: each method queues one message and resolves once it is in
 * Redis; nothing waits for Slack. Ids derive from what the message is: the approval post once per
 * request; its update one per request, coalesced to the latest state; a reminder or an extension
 * ask once per version of the request; a notice once per kind and grant window; an alert once per
 * channel, text and request (within the outbox's memory of sent messages, ten minutes).
 */
export function createOutboxNotifier(deps: {
  readonly enqueue: (message: QueuedMessage) => Promise<void>;
  readonly now: Clock;
}): Notifier {
  const queue = (id: string, conversation: string, message: OutboxMessage, once = true) =>
    deps.enqueue({ id, conversation, body: JSON.stringify(message), once });
  const approvals = (view: RequestView) => view.workflow.access.channel;
  const r = (view: RequestView) => view.request.id;
  const alert = (a: Alert) =>
    queue(`alert-${short(`${a.channel}\n${a.requestId ?? ''}\n${a.text}`)}`, a.channel, {
      k: 'alert',
      at: deps.now(),
      ch: a.channel,
      text: a.text,
      ...(a.requestId ? { r: a.requestId } : {}),
    });
  return {
    async postApprovalMessage(view) {
      // Not remembered once sent (false): the request then records where the post is, and the
      // delivery posts nothing for a request that has one; this keeps Redis small per grant.
      await queue(`post-${r(view)}`, approvals(view), { k: 'post', r: r(view), at: deps.now() }, false);
      return undefined;
    },
    async updateApprovalMessage(_ref, view) {
      await queue(`update-${r(view)}`, approvals(view), { k: 'update', r: r(view), at: deps.now() }, false);
    },
    async remind(_ref, view) {
      await queue(`remind-${r(view)}-v${view.request.version}`, approvals(view), {
        k: 'remind',
        r: r(view),
        at: deps.now(),
      });
    },
    async askExtension(_ref, view) {
      await queue(`ask-${r(view)}-v${view.request.version}`, approvals(view), {
        k: 'ask',
        r: r(view),
        at: deps.now(),
      });
    },
    async announceBreakglass(view) {
      const channel = view.workflow.breakglass?.notifyChannel;
      if (!channel) {
        throw new Error(
          `workflow ${view.workflow.name} has no breakglass section, so no security channel to alert about ${r(view)}`,
        );
      }
      await queue(`breakglass-${r(view)}`, channel, { k: 'breakglass', r: r(view), at: deps.now() });
    },
    async tell(userId, notice: Notice) {
      const { request } = notice.view;
      const window = request.grant?.id ?? 'none';
      const id =
        notice.type === 'extension_denied'
          ? `dm-${notice.type}-${request.id}-${window}-v${request.version}`
          : `dm-${notice.type}-${request.id}-${window}`;
      await queue(id, userId, {
        k: 'notice',
        r: request.id,
        at: deps.now(),
        u: userId,
        n: notice.type,
        ...('certificate' in notice ? { cert: notice.certificate } : {}),
      });
    },
    alert,
  };
}
