import { JumpgateError } from '../domain/errors.js';

/**
 * How a PagerDuty failure is told to a person. Every one is `incidents_unavailable`, so callers
 * fail safe the same way whatever went wrong (never auto-approve); the message says what
 * happened, and `details` keep the request and status for logs.
 */

/** What was asked, for details: `GET /oncalls` (no query: it can hold an email). */
export type RequestLine = `${'GET' | 'POST'} /${string}`;

export function timedOut(request: RequestLine, timeoutMs: number, cause: unknown): JumpgateError {
  return new JumpgateError('incidents_unavailable', `PagerDuty did not answer within ${spoken(timeoutMs)}`, {
    cause,
    details: { request, timeoutMs },
  });
}

export function unreachable(request: RequestLine, cause: unknown): JumpgateError {
  return new JumpgateError('incidents_unavailable', `PagerDuty could not be reached (${reasonOf(cause)})`, {
    cause,
    details: { request },
  });
}

/** A 4xx or 5xx answer. `said` is PagerDuty's own message, when its body had one. */
export function refused(
  request: RequestLine,
  status: number,
  said: string | undefined,
  cause?: unknown,
): JumpgateError {
  const suffix = said === undefined ? '' : `: ${said}`;
  const message =
    status === 401
      ? 'PagerDuty refused the token (401)'
      : status === 403
        ? `PagerDuty does not allow this token to do that (403)${suffix}`
        : status === 429
          ? 'PagerDuty is rate limiting us (429)'
          : status >= 500
            ? `PagerDuty failed with a server error (${status})`
            : `PagerDuty refused the request (${status})${suffix}`;
  return new JumpgateError('incidents_unavailable', message, {
    cause,
    details: { request, status, ...(said === undefined ? {} : { pagerDutySaid: said }) },
  });
}

/** A 2xx answer without the shape Jumpgate relies on (or not JSON at all). */
export function malformed(request: RequestLine, why: string, cause: unknown): JumpgateError {
  return new JumpgateError(
    'incidents_unavailable',
    `PagerDuty sent an answer to ${request} that Jumpgate does not understand (${why})`,
    {
      cause,
      details: { request, malformed: true },
    },
  );
}

/** 3000 → "3 s", 1500 → "1.5 s", 200 → "200 ms": how a person says a wait. */
export function spoken(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  return `${Number((ms / 1000).toFixed(1))} s`;
}

/** node-fetch words a network failure as "request to <url> failed, reason: <why>"; the why is what helps. */
function reasonOf(cause: unknown): string {
  if (!(cause instanceof Error)) return String(cause);
  return /reason: (.+)$/.exec(cause.message)?.[1] ?? cause.message;
}
