import type { z } from 'zod';
import { JumpgateError } from '../domain/errors.js';
import { lightFetch } from '../net/light-fetch.js';
import type { ActiveGrantSummary, Broker, GrantRequest, IssuedGrant, RevokedGrant } from '../service/ports/broker.js';
import {
  activeGrantsResponse,
  brokerErrorResponse,
  describeIssue,
  issuedGrantResponse,
  revokedGrantResponse,
} from './broker-responses.js';
import { signRequestToken } from './request-token.js';
import type { SigningKey } from './signing-key.js';

export interface BrokerClientOptions {
  /** e.g. `http://127.0.0.1:8600`; a path prefix is kept (and signed as part of `htu`). */
  readonly baseUrl: string;
  readonly signingKey: Pick<SigningKey, 'privateKey' | 'alg' | 'kid'>;
  readonly fetch?: typeof globalThis.fetch;
  readonly now?: () => number;
  /** Per attempt, including reading the response body. */
  readonly timeoutMs?: number;
  /** Further attempts after the first, on network errors, timeouts and 5xx. */
  readonly retries?: number;
  /** First backoff; doubles each retry, with jitter. */
  readonly backoffMs?: number;
  /** For the list of active grants (a long answer, read once a minute): `timeoutMs` and `retries` unless set. */
  readonly listTimeoutMs?: number;
  readonly listRetries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** [0, 1); injectable so the jitter can be tested. */
  readonly random?: () => number;
}

/**
 * How the bot calls its broker. A grant or revocation try while the broker is down must end
 * within ~3 s (two attempts of 1.5 s when it is frozen, two quick refusals when it is gone), so
 * the tries the bot repeats every ≤ 5 s stay ≤ 5 s apart; the list of active grants, read by
 * reconciliation once a minute, may take longer.
 */
export const BOT_BROKER_TIMING = {
  timeoutMs: 1_500,
  retries: 1,
  backoffMs: 200,
  listTimeoutMs: 5_000,
  listRetries: 3,
} as const satisfies Partial<BrokerClientOptions>;

/** A failure worth another attempt (network, timeout, 5xx), kept as the cause when retries run out. */
class RetryableFailure extends Error {}

/**
 * The Broker port over HTTP (Broker API v1). Every attempt carries a fresh token,
 * so a retry is never refused as a replay; POST and DELETE are idempotent by grant id, so a
 * retry after a lost response is safe.
 */
export function createBrokerClient(options: BrokerClientOptions): Broker {
  const base = options.baseUrl.replace(/\/+$/, '');
  const basePath = new URL(base).pathname.replace(/\/+$/, '');
  const fetchImpl = options.fetch ?? lightFetch;
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 3;
  const backoffMs = options.backoffMs ?? 200;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;

  async function call<S extends z.ZodType>(
    method: string,
    route: string,
    payload: unknown,
    schema: S,
    notFound?: string,
    timing: { readonly timeoutMs: number; readonly retries: number } = { timeoutMs, retries },
  ): Promise<z.output<S>> {
    const body = payload === undefined ? '' : JSON.stringify(payload);
    let lastFailure: unknown;
    for (let attempt = 0; attempt <= timing.retries; attempt++) {
      if (attempt > 0) {
        const delay = backoffMs * 2 ** (attempt - 1);
        await sleep(Math.round(delay / 2 + random() * (delay / 2)));
      }
      try {
        const { status, text } = await send(method, route, body, timing.timeoutMs);
        if (status >= 500)
          throw new RetryableFailure(`HTTP ${status}: ${errorOf(text)?.message ?? 'no error message'}`);
        if (status >= 400) throw rejection(status, text, notFound);
        return parse(schema, text, route);
      } catch (error) {
        if (error instanceof JumpgateError) throw error;
        lastFailure = error;
      }
    }
    const attempts = timing.retries + 1;
    // The message reaches Slack; where the broker is and how it failed is for the log (details, cause).
    throw new JumpgateError(
      'broker_unavailable',
      `the access broker did not answer (tried ${attempts} time${attempts === 1 ? '' : 's'})`,
      {
        cause: lastFailure,
        details: { attempts, baseUrl: base, call: `${method} ${route}`, failure: describe(lastFailure) },
      },
    );
  }

  async function send(
    method: string,
    route: string,
    body: string,
    timeoutMs: number,
  ): Promise<{ status: number; text: string }> {
    const token = await signRequestToken(options.signingKey, { method, pathAndQuery: basePath + route, body }, now());
    const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
    if (body !== '') headers['content-type'] = 'application/json';
    try {
      const response = await fetchImpl(base + route, {
        method,
        headers,
        ...(body === '' ? {} : { body }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      return { status: response.status, text: await response.text() };
    } catch (error) {
      throw new RetryableFailure(isTimeout(error) ? `no answer within ${timeoutMs} ms` : describe(error), {
        cause: error,
      });
    }
  }

  function parse<S extends z.ZodType>(schema: S, text: string, route: string): z.output<S> {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (cause) {
      throw malformed(route, 'not JSON', cause);
    }
    const result = schema.safeParse(json);
    if (!result.success) throw malformed(route, describeIssue(result.error), result.error);
    return result.data;
  }

  function malformed(route: string, why: string, cause: unknown): JumpgateError {
    return new JumpgateError('broker_unavailable', 'the access broker sent an answer Jumpgate does not understand', {
      cause,
      details: { baseUrl: base, call: route, malformed: why },
    });
  }

  return {
    async grant(request: GrantRequest): Promise<IssuedGrant> {
      const issued = await call('POST', '/v1/grants', request, issuedGrantResponse);
      if (issued.id !== request.id)
        throw malformed('/v1/grants', `it answered for grant ${issued.id}, not ${request.id}`, undefined);
      return issued;
    },
    async revoke(grantId: string): Promise<RevokedGrant> {
      return call(
        'DELETE',
        `/v1/grants/${encodeURIComponent(grantId)}`,
        undefined,
        revokedGrantResponse,
        `the broker has no grant ${grantId}`,
      );
    },
    async listActive(): Promise<readonly ActiveGrantSummary[]> {
      const timing = { timeoutMs: options.listTimeoutMs ?? timeoutMs, retries: options.listRetries ?? retries };
      return (await call('GET', '/v1/grants?status=active', undefined, activeGrantsResponse, undefined, timing)).grants;
    },
  };
}

function rejection(status: number, text: string, notFound: string | undefined): JumpgateError {
  const error = errorOf(text);
  const details = { status, code: error?.code ?? 'unknown' };
  if (status === 404 && notFound !== undefined) return new JumpgateError('not_found', notFound, { details });
  return new JumpgateError('broker_rejected', error?.message ?? `the broker refused the call (HTTP ${status})`, {
    details,
  });
}

function errorOf(text: string): { code: string; message: string } | undefined {
  try {
    const parsed = brokerErrorResponse.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data.error : undefined;
  } catch {
    return undefined;
  }
}

function isTimeout(error: unknown): boolean {
  return error instanceof DOMException && (error.name === 'TimeoutError' || error.name === 'AbortError');
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error && !(error instanceof RetryableFailure) ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`;
}
