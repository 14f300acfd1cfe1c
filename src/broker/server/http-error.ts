/**
 * A refusal the broker answers with `{error:{code, message}}` and this status. Thrown by the
 * request checks and the grant use cases; app.ts turns it into the response. Anything else that
 * escapes a handler is a 500 whose details stay in the log.
 */
export class BrokerHttpError extends Error {
  override readonly name = 'BrokerHttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}

/** 401 with the code naming the check that failed. */
export function unauthorized(code: string, message: string, cause?: unknown): BrokerHttpError {
  return new BrokerHttpError(401, code, message, { cause });
}

/** 400 `invalid_request` (or a more precise code) for a body or query the broker refuses. */
export function badRequest(message: string, code = 'invalid_request'): BrokerHttpError {
  return new BrokerHttpError(400, code, message);
}
