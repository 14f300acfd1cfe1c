import type { WebClient } from '@slack/web-api';
import type { Clock } from '../service/ports/clock.js';
import type { Logger } from '../service/ports/logger.js';
import type { Alert, MessageRef, Notice } from '../service/ports/notifier.js';
import type { RequestView } from '../service/support/request-view.js';
import { alertMessage } from './blocks/alert-message.js';
import { approvalMessage } from './blocks/approval-message.js';
import type { SlackMessage } from './blocks/block-kit.js';
import { breakglassAlert } from './blocks/breakglass-alert.js';
import { extensionAskMessage } from './blocks/extension-ask-message.js';
import { noticeMessage } from './blocks/notice-message.js';
import { reminderMessage } from './blocks/reminder-message.js';

export interface SlackNotifierDeps {
  /** For the outbox: no retries of its own (the outbox retries) and 429 rejected at once. */
  readonly client: WebClient;
  readonly now: Clock;
  readonly logger: Logger;
}

/** Sends at once, where the message is known: what the outbox's delivery calls (outbox-delivery.ts). */
export interface SlackSender {
  postApprovalMessage(view: RequestView): Promise<MessageRef>;
  updateApprovalMessage(ref: MessageRef, view: RequestView): Promise<void>;
  remind(ref: MessageRef, view: RequestView): Promise<void>;
  askExtension(ref: MessageRef, view: RequestView): Promise<void>;
  announceBreakglass(view: RequestView): Promise<void>;
  /** `at`: the time the notice speaks of ("ends in 10 minutes"), when it was queued; default now. */
  tell(userId: string, notice: Notice, at?: number): Promise<void>;
  alert(alert: Alert): Promise<void>;
}

/**
 * Messages over Slack's Web API, one call each. Every method throws when Slack fails (the
 * WebClient throws on `ok: false` and on HTTP errors): the outbox decides whether to try again.
 */
export function createSlackNotifier(deps: SlackNotifierDeps): SlackSender {
  const { client } = deps;
  const logger = deps.logger.child({ component: 'slack-notifier' });

  // Links in reasons and alerts are someone's text: no previews pulled from their URLs.
  const post = (channel: string, message: SlackMessage) =>
    client.chat.postMessage({
      channel,
      text: message.text,
      blocks: message.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });

  return {
    async postApprovalMessage(view: RequestView): Promise<MessageRef> {
      const channel = view.workflow.access.channel;
      const response = await post(channel, approvalMessage(view, deps.now()));
      if (!response.channel || !response.ts) {
        throw new Error(`chat.postMessage to ${channel} answered ok without the channel and ts of the message`);
      }
      logger.debug(
        { requestId: view.request.id, channel: response.channel, ts: response.ts },
        'approval message posted',
      );
      return { channel: response.channel, ts: response.ts };
    },

    async updateApprovalMessage(ref: MessageRef, view: RequestView): Promise<void> {
      const message = approvalMessage(view, deps.now());
      await client.chat.update({ channel: ref.channel, ts: ref.ts, text: message.text, blocks: message.blocks });
      logger.debug({ requestId: view.request.id, status: view.request.status, ...ref }, 'approval message updated');
    },

    async remind(ref: MessageRef, view: RequestView): Promise<void> {
      const message = reminderMessage(view);
      await client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      logger.debug({ requestId: view.request.id, ...ref }, 'reminder posted');
    },

    async askExtension(ref: MessageRef, view: RequestView): Promise<void> {
      const message = extensionAskMessage(view);
      await client.chat.postMessage({
        channel: ref.channel,
        thread_ts: ref.ts,
        reply_broadcast: true,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
      });
      logger.debug({ requestId: view.request.id, ...ref }, 'extension asked');
    },

    async announceBreakglass(view: RequestView): Promise<void> {
      const channel = view.workflow.breakglass?.notifyChannel;
      if (!channel) {
        throw new Error(
          `workflow ${view.workflow.name} has no breakglass section, so no security channel to alert about ${view.request.id}`,
        );
      }
      await post(channel, breakglassAlert(view));
      logger.info({ requestId: view.request.id, channel }, 'breakglass announced');
    },

    async tell(userId: string, notice: Notice, at?: number): Promise<void> {
      // A user ID as the channel posts into the bot's DM with that person (opened if need be).
      await post(userId, noticeMessage(notice, at ?? deps.now()));
      logger.debug({ requestId: notice.view.request.id, userId, notice: notice.type }, 'direct message sent');
    },

    async alert(alert: Alert): Promise<void> {
      await post(alert.channel, alertMessage(alert));
      logger.debug({ requestId: alert.requestId, channel: alert.channel }, 'alert posted');
    },
  };
}
