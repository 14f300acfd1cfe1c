import { webApi } from '@slack/bolt';
import { lightFetch } from '../net/light-fetch.js';

/** Told of each Web API call that failed: the method and Slack's error (or the client's code). */
export type SlackApiErrorListener = (method: string, error: string) => void;

/**
 * The Web API client the directory uses. Retries are bounded: a Slack outage costs a lookup a
 * few seconds, never minutes of a use case.
 */
export function createSlackClient(token: string, apiUrl: string, onError?: SlackApiErrorListener): webApi.WebClient {
  const options = {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 2_000 },
    timeout: 10_000,
    fetch: lightFetch,
  };
  return onError ? new CountingWebClient(token, options, onError) : new webApi.WebClient(token, options);
}

/**
 * Every method (chat.postMessage, users.info, …) goes through apiCall, bound when the client is
 * built: a subclass is the one place to count failures.
 */
class CountingWebClient extends webApi.WebClient {
  constructor(
    token: string,
    options: webApi.WebClientOptions,
    private readonly onError: SlackApiErrorListener,
  ) {
    super(token, options);
  }

  override async apiCall(method: string, options?: Record<string, unknown>): Promise<webApi.WebAPICallResult> {
    try {
      return await super.apiCall(method, options);
    } catch (error) {
      this.onError(method, slackErrorOf(error));
      throw error;
    }
  }
}

/** `{ok:false, error}` answers by their error (channel_not_found, …), anything else by the client's code. */
function slackErrorOf(error: unknown): string {
  const { code, data } = (error ?? {}) as { code?: unknown; data?: { error?: unknown } };
  if (code === webApi.ErrorCode.PlatformError && typeof data?.error === 'string') return data.error;
  if (code === webApi.ErrorCode.RateLimitedError) return 'ratelimited';
  if (code === webApi.ErrorCode.HTTPError) return 'http_error';
  if (code === webApi.ErrorCode.RequestError) return 'request_error';
  return 'unknown';
}

/**
 * The client the outbox sends with: one try per call and a 429 rejected at once with its
 * Retry-After (`rejectRateLimitedCalls`), since the outbox retries, per conversation, with its own
 * backoff; without these the client would sleep through Retry-After and retry by itself, holding
 * a drain for seconds. The timeout bounds the one ambiguous case (Slack took the post and the
 * answer was lost: the post is sent again).
 */
export function createOutboxSlackClient(
  token: string,
  apiUrl: string,
  onError?: SlackApiErrorListener,
): webApi.WebClient {
  const options = {
    slackApiUrl: apiUrl,
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    fetch: lightFetch,
  };
  return onError ? new CountingWebClient(token, options, onError) : new webApi.WebClient(token, options);
}
