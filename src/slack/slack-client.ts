import { webApi } from '@slack/bolt';

/**
 * The Web API client the directory uses. Retries are bounded: a Slack outage costs a lookup a
 * few seconds, never minutes of a use case.
 */
export function createSlackClient(token: string, apiUrl: string): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
    timeout: 10_000,
  });
}

/**
 * The client the outbox sends with: one try per call and a 429 rejected at once with its
 * Retry-After (`rejectRateLimitedCalls`), since the outbox retries, per conversation, with its own
 * backoff; without these the client would sleep through Retry-After and retry by itself, holding
 * a drain for seconds. The timeout bounds the one ambiguous case (Slack took the post and the
 * answer was lost: the post is sent again).
 */
export function createOutboxSlackClient(token: string, apiUrl: string): webApi.WebClient {
  return new webApi.WebClient(token, {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
  });
}
