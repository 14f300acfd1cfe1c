import { JumpgateError } from '../domain/errors.js';
import type { MessageRef, Notice } from '../service/ports/notifier.js';
import type { RequestView } from '../service/support/request-view.js';
import { type OutboxMessage, outboxMessageSchema } from './outbox-messages.js';
import type { SlackSender } from './slack-notifier.js';

/**
 * Slack's answers that no retry can change: the message gives up at once (an audit record and
 * an alert). A bad or revoked token is not among them: that is an outage of the installation,
 * fixed by a person, and the messages wait for it (up to SLACK_OUTBOX_MAX_AGE).
 */
export const PERMANENT_ERRORS = new Set([
  'channel_not_found',
  'not_in_channel',
  'is_archived',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'invalid_blocks',
  'invalid_blocks_format',
  'msg_too_long',
  'no_text',
  'message_not_found',
  'cant_update_message',
  'edit_window_closed',
  'restricted_action',
  'invalid_arguments',
]);

/** What the outbox's deliver is told (jobs/outbox.ts's DeliveryFailure, restated: adapters do not import each other). */
export interface Failure {
  readonly permanent: boolean;
  readonly retryAfterMs?: number;
  readonly reason: string;
}

/**
 * Sends one queued message (outbox-messages.ts): messages about a request are rendered from its
 * state now; the approval post records where it landed; an update, reminder or ask whose approval
 * message was never posted has nothing to act on and is done.
 */
export function createOutboxDelivery(deps: {
  readonly sender: SlackSender;
  /** The request and the workflow it names now; undefined when the request is gone. Throws unknown_target when the workflow is. */
  readonly view: (requestId: string) => Promise<RequestView | undefined>;
  readonly setMessage: (requestId: string, ref: MessageRef) => Promise<void>;
}): { deliver(body: string): Promise<void>; classify(error: unknown): Failure } {
  const { sender } = deps;
  const viewOf = async (requestId: string): Promise<RequestView> => {
    const view = await deps.view(requestId);
    if (!view) throw new JumpgateError('not_found', `request ${requestId} is gone: nothing to render the message from`);
    return view;
  };
  const send = async (message: OutboxMessage): Promise<void> => {
    if (message.k === 'alert') {
      return sender.alert({ channel: message.ch, text: message.text, ...(message.r ? { requestId: message.r } : {}) });
    }
    const view = await viewOf(message.r);
    const ref = view.request.message;
    switch (message.k) {
      case 'post': {
        if (ref) return; // posted already (by an earlier version, or this one before a lost answer)
        const posted = await sender.postApprovalMessage(view);
        return deps.setMessage(message.r, posted);
      }
      case 'update':
        return ref ? sender.updateApprovalMessage(ref, view) : undefined;
      case 'remind':
        return ref ? sender.remind(ref, view) : undefined;
      case 'ask':
        return ref ? sender.askExtension(ref, view) : undefined;
      case 'breakglass':
        return sender.announceBreakglass(view);
      case 'notice': {
        const notice: Notice =
          message.n === 'granted' || message.n === 'extended'
            ? { type: message.n, view, certificate: message.cert ?? '' }
            : { type: message.n, view };
        return sender.tell(message.u, notice, message.at);
      }
      default:
        throw new JumpgateError('not_found', 'an outbox message of no known kind');
    }
  };
  return {
    async deliver(body) {
      const parsed = outboxMessageSchema.safeParse(parseJson(body));
      if (!parsed.success) throw new JumpgateError('not_found', `not an outbox message: ${parsed.error.message}`);
      await send(parsed.data);
    },
    classify,
  };
}

/** Reads the WebClient's errors (codes of @slack/web-api's errors.ts) and ours. */
export function classify(error: unknown): Failure {
  if (error instanceof JumpgateError) return { permanent: true, reason: error.code };
  const e = error as { code?: string; retryAfter?: number; statusCode?: number; data?: { error?: string } };
  const code = e?.code ?? '';
  if (code === 'slack_webapi_rate_limited_error')
    return { permanent: false, reason: 'ratelimited', retryAfterMs: (e.retryAfter ?? 1) * 1000 };
  if (code === 'slack_webapi_platform_error') {
    const reason = e.data?.error ?? 'unknown_error';
    return { permanent: PERMANENT_ERRORS.has(reason), reason };
  }
  if (code === 'slack_webapi_http_error') return { permanent: false, reason: `http_${e.statusCode ?? 'error'}` };
  if (code === 'slack_webapi_request_error') return { permanent: false, reason: 'request_failed' };
  return { permanent: false, reason: error instanceof Error ? error.message.slice(0, 200) : String(error) };
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

/** What a give-up report names: the kind of message and its request, read from the queued body. */
export function describeQueued(body: string): { readonly kind: string; readonly requestId?: string } {
  const parsed = outboxMessageSchema.safeParse(parseJson(body));
  if (!parsed.success) return { kind: 'unknown' };
  const kind = parsed.data.k === 'notice' ? `notice_${parsed.data.n}` : parsed.data.k;
  return parsed.data.r ? { kind, requestId: parsed.data.r } : { kind };
}
