import { createHmac } from 'node:crypto';

/**
 * What the page's actions become: the requests Slack itself would send to /slack/events, signed
 * with the local run's signing secret, so the bot's Bolt receiver verifies and routes them
 * exactly as in production (slash commands form-encoded, interactions as a `payload` field of
 * JSON, events as JSON).
 */
export interface SlackRequester {
  command(input: {
    user: string;
    userName: string;
    channel: string;
    text: string;
    responseUrl: string;
    triggerId: string;
  }): Promise<SlackAnswer>;
  interaction(payload: Record<string, unknown>): Promise<SlackAnswer>;
  event(event: Record<string, unknown>): Promise<SlackAnswer>;
}

export interface SlackAnswer {
  readonly status: number;
  /** The ack's body: empty, or JSON such as `{response_action: 'errors', errors}`. */
  readonly body: string;
}

export const LOCAL_TEAM = { id: 'T0LOCAL', domain: 'local' } as const;
export const LOCAL_APP_ID = 'A0JUMPGATE';

export function createSlackRequester(deps: { eventsUrl: () => string; signingSecret: string }): SlackRequester {
  const send = async (body: string, contentType: string): Promise<SlackAnswer> => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac('sha256', deps.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex');
    const res = await fetch(deps.eventsUrl(), {
      method: 'POST',
      headers: {
        'content-type': contentType,
        'x-slack-signature': `v0=${signature}`,
        'x-slack-request-timestamp': timestamp,
      },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    return { status: res.status, body: await res.text() };
  };
  const form = 'application/x-www-form-urlencoded';

  return {
    command: (input) =>
      send(
        new URLSearchParams({
          token: 'local',
          team_id: LOCAL_TEAM.id,
          team_domain: LOCAL_TEAM.domain,
          channel_id: input.channel,
          channel_name: input.channel,
          user_id: input.user,
          user_name: input.userName,
          command: '/jump',
          text: input.text,
          api_app_id: LOCAL_APP_ID,
          is_enterprise_install: 'false',
          response_url: input.responseUrl,
          trigger_id: input.triggerId,
        }).toString(),
        form,
      ),
    interaction: (payload) => send(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), form),
    event: (event) =>
      send(
        JSON.stringify({
          token: 'local',
          team_id: LOCAL_TEAM.id,
          api_app_id: LOCAL_APP_ID,
          event,
          type: 'event_callback',
          event_id: `Ev${Date.now().toString(36).toUpperCase()}`,
          event_time: Math.floor(Date.now() / 1000),
          authorizations: [
            { team_id: LOCAL_TEAM.id, user_id: 'U0JUMPGATE', is_bot: true, is_enterprise_install: false },
          ],
        }),
        'application/json',
      ),
  };
}
