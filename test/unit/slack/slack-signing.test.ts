import {
  type BlockAction,
  type ButtonAction,
  isValidSlackRequest,
  type SlashCommand,
  type ViewSubmitAction,
} from '@slack/bolt';
import { describe, expect, it } from 'vitest';
import {
  blockActionPayload,
  interactionBody,
  plainTextValue,
  selectValue,
  signedRequest,
  slashCommandBody,
  viewSubmissionPayload,
} from '../../support/slack-signing.js';

const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';

describe('test support: requests signed and shaped as Slack sends them', () => {
  it('signs a body so that Bolt’s own verification accepts it', () => {
    const body = slashCommandBody({ text: 'list', userId: 'U0ALICE', responseUrl: 'http://127.0.0.1/response/1' });
    const now = Math.floor(Date.now() / 1000);
    const signed = signedRequest(SECRET, body, now);
    const headers = {
      'x-slack-signature': signed['x-slack-signature'],
      'x-slack-request-timestamp': Number(signed['x-slack-request-timestamp']),
    };
    expect(isValidSlackRequest({ signingSecret: SECRET, body, headers })).toBe(true);
    expect(isValidSlackRequest({ signingSecret: 'another-secret', body, headers })).toBe(false);
    expect(isValidSlackRequest({ signingSecret: SECRET, body: `${body}&x=1`, headers })).toBe(false);
  });

  it('matches Slack’s documented signature example', () => {
    // https://docs.slack.dev/authentication/verifying-requests-from-slack
    const body =
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
    expect(signedRequest(SECRET, body, 1531420618)['x-slack-signature']).toBe(
      'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503',
    );
  });

  it('builds a slash command body with Slack’s fields', () => {
    const body = slashCommandBody({
      text: 'request prod-db 30m fix & <go>',
      userId: 'U0ALICE',
      responseUrl: 'http://127.0.0.1:1/response/a',
      triggerId: 't1',
    });
    const fields = Object.fromEntries(new URLSearchParams(body)) as SlashCommand;
    expect(Object.keys(fields)).toEqual([
      'token',
      'team_id',
      'team_domain',
      'channel_id',
      'channel_name',
      'user_id',
      'user_name',
      'command',
      'text',
      'api_app_id',
      'is_enterprise_install',
      'response_url',
      'trigger_id',
    ]);
    expect(fields).toMatchObject({
      command: '/jump',
      text: 'request prod-db 30m fix & <go>',
      user_id: 'U0ALICE',
      response_url: 'http://127.0.0.1:1/response/a',
      trigger_id: 't1',
    });
  });

  it('wraps an interaction as one payload field of JSON', () => {
    const payload = blockActionPayload({
      userId: 'U0LEAD',
      actionId: 'jump_approve',
      value: 'req_abc',
      responseUrl: 'http://x/response/1',
      messageTs: '1700000000.000200',
    });
    const decoded = JSON.parse(
      new URLSearchParams(interactionBody(payload)).get('payload')!,
    ) as BlockAction<ButtonAction>;
    expect(decoded).toEqual(payload);
    expect(decoded.actions[0]).toMatchObject({ type: 'button', action_id: 'jump_approve', value: 'req_abc' });
    expect(decoded.container).toMatchObject({
      type: 'message',
      message_ts: '1700000000.000200',
      channel_id: 'C0APPROVALS',
    });
    expect(decoded.user.id).toBe('U0LEAD');
  });

  it('builds a view submission with the state values given', () => {
    const payload: ViewSubmitAction = viewSubmissionPayload({
      userId: 'U0LEAD',
      callbackId: 'jump_deny_modal',
      privateMetadata: 'req_abc',
      values: { jump_deny_reason: { reason: plainTextValue('no') }, pick: { target: selectValue('prod-db') } },
    });
    expect(payload.view).toMatchObject({ callback_id: 'jump_deny_modal', private_metadata: 'req_abc', type: 'modal' });
    expect(payload.view.state.values.jump_deny_reason!.reason!.value).toBe('no');
    expect(payload.view.state.values.pick!.target!.selected_option!.value).toBe('prod-db');
  });
});
