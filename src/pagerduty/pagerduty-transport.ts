import { api } from '@pagerduty/pdjs';
import type { Logger } from '../service/ports/logger.js';
import { malformed, type RequestLine, refused, timedOut, unreachable } from './pagerduty-failures.js';
import { errorMessageOf } from './pagerduty-responses.js';

/**
 * Requests to PagerDuty's REST API v2 through pdjs, which sends `Accept:
 * application/vnd.pagerduty+json;version=2` and `Authorization: Token token=<token>`. pdjs would
 * build `https://<server>/<endpoint>` itself; we give it full URLs (`url`, used as is) so the API
 * URL can point anywhere, a local test server included.
 *
 * What pdjs 2.2.4 (build/src/common.js) does not offer, and how it is made up for here:
 * - a timeout: its `requestTimeout` only starts a timer that does nothing (and keeps the process
 *   alive for 30 s), so it is set to 0; instead one AbortSignal per port call is aborted after
 *   `timeoutMs`. node-fetch (under pdjs's cross-fetch) honours it while connecting and reading,
 *   and each request also races the abort, so nothing inside pdjs can outlast the deadline.
 * - no retries: pdjs retries every 429 three times after `retryTimeout`, with no switch. It asks
 *   node-fetch's `agent` callback once per attempt, so a second call can only be pdjs about to
 *   retry a 429: the signal is aborted there, before that request is sent. PagerDuty sees one
 *   request and the caller hears at once that it is rate limited.
 * - an injectable fetch: pdjs always uses cross-fetch, so tests point `apiUrl` at a local server.
 */

export interface PagerDutyRequest {
  readonly method: 'GET' | 'POST';
  /** Under the API URL, starting with `/`, e.g. `/oncalls`. */
  readonly path: `/${string}`;
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: object;
  readonly headers?: Readonly<Record<string, string>>;
  /** A 404 is an answer (e.g. "no such incident") rather than a failure. */
  readonly notFoundIsAnswer?: boolean;
}

export interface PagerDutyAnswer {
  readonly status: number;
  /** The parsed JSON body, unchecked; undefined for 204. */
  readonly data: unknown;
}

/** Sends one request: resolves with a 2xx answer (or an allowed 404), else throws incidents_unavailable. */
export type Send = (request: PagerDutyRequest) => Promise<PagerDutyAnswer>;

export interface PagerDutyTransport {
  /** Runs one port call: every request `work` sends shares one deadline of `timeoutMs`. */
  call<T>(work: (send: Send) => Promise<T>): Promise<T>;
}

export interface PagerDutyTransportOptions {
  readonly token: string;
  /** e.g. `https://api.pagerduty.com`, without a trailing slash. */
  readonly apiUrl: string;
  readonly timeoutMs: number;
  readonly logger?: Logger;
  /** Told of each request that failed, by method and path (ids as `:id`), e.g. `GET /incidents/:id`. */
  readonly onError?: (method: string) => void;
}

/** Why a call's signal was aborted. */
class CallStopped extends Error {
  constructor(readonly why: 'timeout' | 'rate_limited') {
    super(why === 'timeout' ? 'deadline passed' : 'pdjs was about to retry a 429');
  }
}

/**
 * What is handed to pdjs's `api()` (its package exports no types but the function). `agent` is
 * node-fetch v2's, which pdjs passes through without declaring it.
 */
interface PdjsCall {
  readonly url: string;
  readonly token: string;
  readonly method: PagerDutyRequest['method'];
  readonly headers?: Record<string, string>;
  readonly queryParameters?: Record<string, string | string[]>;
  readonly data?: object;
  readonly requestTimeout: number;
  readonly retryTimeout: number;
  readonly signal: AbortSignal;
  readonly agent: () => undefined;
}

export function createPagerDutyTransport(options: PagerDutyTransportOptions): PagerDutyTransport {
  const base = options.apiUrl.replace(/\/+$/, '');

  async function send(
    request: PagerDutyRequest,
    controller: AbortController,
    aborted: Promise<never>,
  ): Promise<PagerDutyAnswer> {
    try {
      return await sendOnce(request, controller, aborted);
    } catch (error) {
      options.onError?.(`${request.method} ${pathShape(request.path)}`);
      throw error;
    }
  }

  async function sendOnce(
    request: PagerDutyRequest,
    controller: AbortController,
    aborted: Promise<never>,
  ): Promise<PagerDutyAnswer> {
    const line: RequestLine = `${request.method} ${request.path}`;
    let attempts = 0;
    const parameters: PdjsCall = {
      url: base + request.path,
      token: options.token,
      method: request.method,
      ...(request.headers === undefined ? {} : { headers: { ...request.headers } }),
      ...(request.query === undefined ? {} : { queryParameters: copyQuery(request.query) }),
      ...(request.body === undefined ? {} : { data: request.body }),
      requestTimeout: 0,
      retryTimeout: 0,
      signal: controller.signal,
      agent: () => {
        attempts += 1;
        if (attempts > 1) controller.abort(new CallStopped('rate_limited'));
        return undefined;
      },
    };
    let response: { readonly status: number; readonly data: unknown };
    try {
      response = await Promise.race([api(parameters), aborted]);
    } catch (error) {
      throw failureOf(line, controller.signal.aborted ? (controller.signal.reason as unknown) : error);
    }
    const data: unknown = response.data;
    options.logger?.debug({ request: line, status: response.status }, 'PagerDuty answered');
    if (response.status >= 200 && response.status < 300) return { status: response.status, data };
    if (response.status === 404 && request.notFoundIsAnswer) return { status: 404, data };
    throw refused(line, response.status, errorMessageOf(data));
  }

  function failureOf(line: RequestLine, reason: unknown) {
    if (reason instanceof CallStopped) {
      return reason.why === 'timeout'
        ? timedOut(line, options.timeoutMs, reason)
        : refused(line, 429, undefined, reason);
    }
    // pdjs rejects with the Response itself when its body is not JSON (a proxy's HTML page, say).
    const status = statusOf(reason);
    if (status === undefined) return unreachable(line, reason);
    if (status >= 400 && status !== 404) return refused(line, status, undefined, reason);
    return malformed(line, `HTTP ${status} with a body that is not JSON`, reason);
  }

  return {
    async call<T>(work: (send: Send) => Promise<T>): Promise<T> {
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(new CallStopped('timeout')), options.timeoutMs);
      // Rejects when the call is aborted, so a request stops waiting even if pdjs would not.
      const aborted = new Promise<never>((_resolve, reject) => {
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason as Error), { once: true });
      });
      aborted.catch(() => undefined);
      try {
        return await work((request) => send(request, controller, aborted));
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/** A path with PagerDuty's ids (P1ABC23, Q0…) as `:id`, so a metric has one series per endpoint. */
export function pathShape(path: string): string {
  return path.replace(/\/[A-Z0-9]{6,}(?=\/|$)/g, '/:id');
}

function copyQuery(query: Readonly<Record<string, string | readonly string[]>>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(query).map(([key, value]) => [key, typeof value === 'string' ? value : [...value]]),
  );
}

function statusOf(value: unknown): number | undefined {
  if (value instanceof Error || typeof value !== 'object' || value === null || !('status' in value)) return undefined;
  return typeof value.status === 'number' ? value.status : undefined;
}
