import { SYSTEM_ACTOR } from '../../../domain/audit-entry.js';
import type { LifecycleDeps } from '../../deps.js';
import { notifySafely } from '../../support/notify-safely.js';

/** A message the outbox stopped trying (its last error was permanent, or it failed for SLACK_OUTBOX_MAX_AGE). */
export interface FailedMessage {
  /** The channel or user it was for. */
  readonly conversation: string;
  /** What it was: `post`, `update`, `remind`, `ask`, `breakglass`, `alert`, `notice_<type>`. */
  readonly kind: string;
  readonly requestId?: string;
  /** Slack's error code (or ours), e.g. `channel_not_found`, `http_500`. */
  readonly error: string;
  readonly attempts: number;
  /** When it was queued (epoch ms): its first try. */
  readonly enqueuedAt: number;
  readonly messageId: string;
}

/**
 * A message that gave up is never silent: one `message_failed` audit record (the outbox reports
 * each message once, from the replica that removed it), then an alert in the admin channel. A
 * failed message to the admin channel itself is only recorded and logged: alerting about it there
 * would fail the same way, and an alert about that one again (no loop).
 */
export function createReportMessageFailure(
  deps: Pick<LifecycleDeps, 'store' | 'notifier' | 'logger' | 'adminChannel'>,
) {
  return async function reportMessageFailure(failed: FailedMessage): Promise<void> {
    const logger = deps.logger.child({ requestId: failed.requestId, messageId: failed.messageId });
    const firstTriedAt = new Date(failed.enqueuedAt).toISOString();
    await deps.store.appendAudit({
      type: 'message_failed',
      requestId: failed.requestId ?? null,
      actor: SYSTEM_ACTOR,
      target: null,
      detail: {
        conversation: failed.conversation,
        kind: failed.kind,
        messageId: failed.messageId,
        error: failed.error,
        attempts: failed.attempts,
        firstTriedAt,
      },
    });
    const channel = deps.adminChannel;
    if (!channel || channel === failed.conversation) return;
    const about = failed.requestId ? ` about ${failed.requestId}` : '';
    await notifySafely(logger, 'the message failure alert', () =>
      deps.notifier.alert({
        channel,
        ...(failed.requestId ? { requestId: failed.requestId } : {}),
        text: `Jumpgate gave up on a Slack message (${failed.kind}${about}, to ${failed.conversation}) after ${failed.attempts} attempt(s) since ${firstTriedAt}: ${failed.error}. It is recorded in the audit trail (message_failed).`,
      }),
    );
  };
}
