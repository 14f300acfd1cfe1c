import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { isJumpgateError } from '../../domain/errors.js';
import { BASTION_PATHS, type BastionRouteDeps, serveBastionRoute } from './bastion-routes.js';
import { parseGrantRequest } from './grant-request.js';
import type { GrantStore, StoredGrant } from './grant-store.js';
import { activeView, issuedView, revokedView } from './grant-views.js';
import { BrokerHttpError, badRequest } from './http-error.js';
import { readBody, sendError, sendJson } from './http-io.js';
import type { IssueResult } from './issue-grant.js';
import type { RequestToVerify, VerifiedToken } from './verify-request.js';

export interface BrokerAppDeps {
  readonly verify: (request: RequestToVerify) => Promise<VerifiedToken>;
  readonly issue: (body: ReturnType<typeof parseGrantRequest>) => Promise<IssueResult>;
  readonly revoke: (id: string) => Promise<StoredGrant>;
  readonly store: GrantStore;
  /** `/v1/ca.pub`, `/v1/krl`, `/v1/krl/status`. */
  readonly bastion: BastionRouteDeps;
  readonly now: () => number;
  readonly logger: Logger;
  /** Set at start: the CA key is loaded and ssh-keygen works. */
  readonly health: () => { ok: boolean; problem?: string };
}

type Handler = (call: { url: URL; body: Buffer }) => Promise<void> | void;

// Public answers carry a code, never paths or ssh-keygen's words: those go to the broker's log.
const CANNOT_SIGN = 'the broker cannot sign; its log has the details';

/**
 * The routes of Broker API v1. `/healthz`, `/v1/ca.pub`, `/v1/krl` and `/v1/krl/status` are
 * public (a bastion fetches them); every grant route needs a token bound to the request. Errors are always
 * `{error:{code,message}}` without a stack.
 */
export function createBrokerApp(deps: BrokerAppDeps): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void handle(deps, req, res).catch((error: unknown) => {
      deps.logger.error({ err: error }, 'broker request failed after its answer started');
      res.destroy();
    });
  };
}

async function handle(deps: BrokerAppDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  // Prefixing keeps `//host/x` a path (not a host) for routing; the token binds to req.url as sent.
  const rawUrl = req.url ?? '/';
  const url = new URL(`http://broker.invalid${rawUrl.startsWith('/') ? rawUrl : `/${rawUrl}`}`);
  const log = deps.logger.child({ method, path: url.pathname });
  try {
    const handler = route(deps, req, res, method, url.pathname);
    const body = await readBody(req);
    await handler({ url, body });
    log.debug({ status: res.statusCode }, 'broker request');
  } catch (error) {
    const refusal = toRefusal(error);
    if (refusal.status >= 500) log.error({ err: error }, 'broker request failed');
    else if (refusal.status === 401) log.warn({ code: refusal.code, reason: refusal.message }, 'broker call refused');
    else log.info({ status: refusal.status, code: refusal.code }, 'broker call refused');
    sendError(res, refusal.status, refusal.code, refusal.message);
  }
}

function route(
  deps: BrokerAppDeps,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  pathname: string,
): Handler {
  const authed =
    (next: Handler): Handler =>
    async (call) => {
      await deps.verify({ authorization: req.headers.authorization, method, url: req.url ?? '/', body: call.body });
      await next(call);
    };
  const signing =
    (next: Handler): Handler =>
    async (call) => {
      const health = deps.health();
      if (!health.ok) throw new BrokerHttpError(503, 'unavailable', CANNOT_SIGN);
      await next(call);
    };
  const only = (allowed: string, handler: Handler): Handler => {
    if (method !== allowed)
      throw new BrokerHttpError(405, 'method_not_allowed', `${method} is not allowed on ${pathname} (use ${allowed})`);
    return handler;
  };

  if (pathname === '/healthz') {
    return only('GET', () => {
      const health = deps.health();
      sendJson(
        res,
        health.ok ? 200 : 503,
        health.ok ? { ok: true } : { ok: false, error: { code: 'unavailable', message: CANNOT_SIGN } },
      );
    });
  }
  if (BASTION_PATHS.has(pathname)) return ({ url }) => serveBastionRoute(deps.bastion, req, res, url);
  if (pathname === '/v1/grants') {
    if (method === 'GET') {
      return authed(({ url }) => {
        const status = url.searchParams.get('status');
        if (status !== 'active')
          throw badRequest(`status must be "active" (got ${status === null ? 'none' : JSON.stringify(status)})`);
        sendJson(res, 200, activeView(deps.store.all(), deps.now()));
      });
    }
    return only(
      'POST',
      authed(
        signing(async ({ body }) => {
          const { created, grant } = await deps.issue(parseGrantRequest(parseJson(body)));
          sendJson(res, created ? 201 : 200, issuedView(grant, deps.now()));
        }),
      ),
    );
  }
  const grantId = /^\/v1\/grants\/([^/]+)$/.exec(pathname)?.[1];
  if (grantId !== undefined) {
    return only(
      'DELETE',
      authed(
        signing(async () => {
          sendJson(res, 200, revokedView(await deps.revoke(decodeId(grantId))));
        }),
      ),
    );
  }
  throw new BrokerHttpError(404, 'not_found', `no route ${method} ${pathname}`);
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw badRequest('the body is not valid JSON', 'invalid_json');
  }
}

function decodeId(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new BrokerHttpError(404, 'not_found', `the broker has no grant ${segment}`);
  }
}

function toRefusal(error: unknown): { status: number; code: string; message: string } {
  if (error instanceof BrokerHttpError) return { status: error.status, code: error.code, message: error.message };
  if (isJumpgateError(error, 'dependency_missing')) return { status: 503, code: 'unavailable', message: CANNOT_SIGN };
  return { status: 500, code: 'internal', message: 'the broker failed to handle the call; its log has the details' };
}
