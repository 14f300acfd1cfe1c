import { createHmac } from 'node:crypto';
import type { BlockAction, ButtonAction, ViewStateValue, ViewSubmitAction } from '@slack/bolt';

/**
 * Requests exactly as Slack sends them to /slack/events: signed bodies, slash-command forms and
 * interaction payloads of Slack's real shapes (checked against @slack/bolt's types).
 */

/** Slack posts slash commands and interactions form-encoded. */
export const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

export interface SlackSignatureHeaders {
  readonly 'x-slack-signature': string;
  readonly 'x-slack-request-timestamp': string;
  [header: string]: string;
}

/** Slack's request signature: `v0=` HMAC-SHA256(secret, `v0:<timestamp>:<body>`), hex. */
export function signedRequest(
  secret: string,
  body: string,
  timestampSec = Math.floor(Date.now() / 1000),
): SlackSignatureHeaders {
  const signature = createHmac('sha256', secret).update(`v0:${timestampSec}:${body}`).digest('hex');
  return { 'x-slack-signature': `v0=${signature}`, 'x-slack-request-timestamp': String(timestampSec) };
}

export interface SlashCommandInput {
  readonly text: string;
  readonly userId: string;
  readonly userName?: string;
  readonly channelId?: string;
  readonly triggerId?: string;
  readonly responseUrl: string;
  readonly teamId?: string;
}

/** The form body of a `/jump` command, with Slack's fields in Slack's order. */
export function slashCommandBody(input: SlashCommandInput): string {
  return new URLSearchParams({
    token: 'verification-token-unused',
    team_id: input.teamId ?? 'T0TEAM',
    team_domain: 'jumpgate-test',
    channel_id: input.channelId ?? 'C0GENERAL',
    channel_name: 'general',
    user_id: input.userId,
    user_name: input.userName ?? input.userId.toLowerCase(),
    command: '/jump',
    text: input.text,
    api_app_id: 'A0JUMPGATE',
    is_enterprise_install: 'false',
    response_url: input.responseUrl,
    trigger_id: input.triggerId ?? triggerId(),
  }).toString();
}

/** An interaction (block action, view submission) is form-encoded as one `payload` field of JSON. */
export function interactionBody(payload: object): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

export interface BlockActionInput {
  readonly userId: string;
  readonly userName?: string;
  readonly actionId: string;
  readonly value: string;
  readonly blockId?: string;
  readonly responseUrl: string;
  /** The message the button is on. */
  readonly messageTs?: string;
  readonly channelId?: string;
  readonly teamId?: string;
}

/** A click on a button in a message, as Slack posts it. */
export function blockActionPayload(input: BlockActionInput): BlockAction<ButtonAction> {
  const teamId = input.teamId ?? 'T0TEAM';
  const channelId = input.channelId ?? 'C0APPROVALS';
  const messageTs = input.messageTs ?? '1700000000.000200';
  const name = input.userName ?? input.userId.toLowerCase();
  return {
    type: 'block_actions',
    user: { id: input.userId, username: name, name, team_id: teamId },
    api_app_id: 'A0JUMPGATE',
    token: 'verification-token-unused',
    container: { type: 'message', message_ts: messageTs, channel_id: channelId, is_ephemeral: false },
    trigger_id: triggerId(),
    team: { id: teamId, domain: 'jumpgate-test' },
    is_enterprise_install: false,
    channel: { id: channelId, name: 'approvals' },
    message: { type: 'message', user: 'U0JUMPGATE', ts: messageTs, text: 'Access request', bot_id: 'B0JUMPGATE' },
    state: { values: {} },
    response_url: input.responseUrl,
    actions: [
      {
        type: 'button',
        action_id: input.actionId,
        block_id: input.blockId ?? 'jump_decision',
        text: { type: 'plain_text', text: input.actionId, emoji: true },
        value: input.value,
        action_ts: `${Math.floor(Date.now() / 1000)}.000001`,
      },
    ],
  };
}

export interface ViewSubmissionInput {
  readonly userId: string;
  readonly userName?: string;
  readonly callbackId: string;
  readonly privateMetadata?: string;
  /** `view.state.values`: block id → action id → value (see `plainTextValue`, `selectValue`). */
  readonly values: Record<string, Record<string, ViewStateValue>>;
  readonly teamId?: string;
}

/** A modal's submission, as Slack posts it. */
export function viewSubmissionPayload(input: ViewSubmissionInput): ViewSubmitAction {
  const teamId = input.teamId ?? 'T0TEAM';
  return {
    type: 'view_submission',
    team: { id: teamId, domain: 'jumpgate-test' },
    user: { id: input.userId, name: input.userName ?? input.userId.toLowerCase(), team_id: teamId },
    api_app_id: 'A0JUMPGATE',
    token: 'verification-token-unused',
    trigger_id: triggerId(),
    is_enterprise_install: false,
    response_urls: [],
    view: {
      id: 'V0MODAL',
      team_id: teamId,
      type: 'modal',
      blocks: [],
      private_metadata: input.privateMetadata ?? '',
      callback_id: input.callbackId,
      state: { values: input.values },
      hash: '1700000000.abcdef',
      title: { type: 'plain_text', text: 'Jumpgate', emoji: true },
      clear_on_close: false,
      notify_on_close: false,
      close: null,
      submit: { type: 'plain_text', text: 'Submit', emoji: true },
      previous_view_id: null,
      root_view_id: 'V0MODAL',
      app_id: 'A0JUMPGATE',
      external_id: '',
      app_installed_team_id: teamId,
      bot_id: 'B0JUMPGATE',
    },
  };
}

/** The state of a plain text input. */
export function plainTextValue(value: string | null): ViewStateValue {
  return { type: 'plain_text_input', value };
}

/** The state of a static_select with `value` chosen (or nothing chosen). */
export function selectValue(value: string | null): ViewStateValue {
  return {
    type: 'static_select',
    selected_option: value === null ? null : { text: { type: 'plain_text', text: value, emoji: true }, value },
  };
}

let triggers = 0;
function triggerId(): string {
  triggers += 1;
  return `${1_700_000_000 + triggers}.${triggers}.0123456789abcdef0123456789abcdef`;
}
