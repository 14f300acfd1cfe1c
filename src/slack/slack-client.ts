import { webApi } from '@slack/bolt';

/**
 * The Web API client the notifier and directory use. Retries are bounded: a Slack outage costs a
 * message, never minutes of a job that also has to revoke access.
 */
export function createSlackClient(token: string, apiUrl: string): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
    timeout: 10_000,
  });
}
