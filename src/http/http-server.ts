import http, { type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isJumpgateError } from '../domain/errors.js';
import type { Logger } from '../service/ports/logger.js';
import { withBodyCap } from './body-cap.js';

/** A check for /readyz: resolves when the dependency answers, throws (with a reason) when not. */
export type ReadinessCheck = () => Promise<void>;

export interface HttpServerDeps {
  readonly port: number;
  readonly host?: string;
  /** Bolt's request listener for /slack/events (HTTP mode), signature verification included. */
  readonly slackEvents?: RequestListener;
  /**
   * Embedded broker only: its public bastion routes (/v1/ca.pub, /v1/krl, /v1/krl/status), the
   * same bytes the broker serves, since a bastion cannot reach the broker's loopback port.
   */
  readonly bastion?: RequestListener;
  /** The local workspace only: its page, `/` and `/workspace/…` (loopback, no Slack variable set). */
  readonly page?: RequestListener;
  /** True once the bot can take requests: /healthz answers 200 from then on. */
  readonly isReady: () => boolean;
  /**
   * True once the bot is stopping (SIGTERM): /readyz answers 503 at once, so a load balancer
   * moves traffic, and /slack/events 503, so Slack retries its events on another replica.
   */
  readonly isStopping?: () => boolean;
  readonly readiness: Readonly<Record<string, ReadinessCheck>>;
  /**
   * Checks /readyz reports but that do not make the bot unready: a bastion that stopped fetching
   * the KRL is for people to fix, and taking the bot out of a load balancer would not fix it.
   */
  readonly advisories?: Readonly<Record<string, ReadinessCheck>>;
  /** The bot's public JWKS (what a standalone broker trusts). */
  readonly jwks: () => object;
  /** The hash of the workflow files in force (shown by /readyz as `policy.hash`). */
  readonly policyHash?: () => string;
  /** Prometheus text exposition. */
  readonly metrics: () => Promise<{ contentType: string; body: string }>;
  readonly logger: Logger;
}

export interface RunningHttpServer {
  readonly port: number;
  close(): Promise<void>;
}

const READY_TIMEOUT_MS = 2_000;
const BASTION_PATHS: ReadonlySet<string> = new Set(['/v1/ca.pub', '/v1/krl', '/v1/krl/status']);

/**
 * The bot's one HTTP listener: /slack/events, /healthz, /readyz, /metrics, /.well-known/jwks.json,
 * and with the embedded broker /v1/ca.pub, /v1/krl and /v1/krl/status.
 */
export async function startHttpServer(deps: HttpServerDeps): Promise<RunningHttpServer> {
  const server = http.createServer((req, res) => {
    route(deps, req, res).catch((error: unknown) => {
      deps.logger.error({ err: error, path: req.url }, 'http handler failed');
      if (!res.headersSent) json(res, 500, { error: { code: 'internal', message: 'internal error' } });
    });
  });
  // Slack's retries and load balancers keep connections open; do not let them stall shutdown.
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.port, deps.host ?? '0.0.0.0', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function route(deps: HttpServerDeps, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (deps.isStopping?.() && (path === '/slack/events' || path === '/readyz')) {
    res.setHeader('retry-after', '1');
    return json(res, 503, { ok: false, reason: 'stopping' });
  }
  if (path === '/slack/events' && deps.slackEvents) return void withBodyCap(deps.slackEvents)(req, res);
  if (deps.bastion && BASTION_PATHS.has(path)) return void deps.bastion(req, res);
  if (deps.page && (path === '/' || path.startsWith('/workspace/'))) return void deps.page(req, res);
  if (req.method !== 'GET' && req.method !== 'HEAD')
    return json(res, 405, { error: { code: 'method_not_allowed', message: 'use GET' } });
  switch (path) {
    case '/healthz':
      return deps.isReady() ? json(res, 200, { ok: true }) : json(res, 503, { ok: false, reason: 'starting' });
    case '/readyz':
      return readyz(deps, res);
    case '/metrics': {
      const { contentType, body } = await deps.metrics();
      res.writeHead(200, { 'content-type': contentType });
      return void res.end(body);
    }
    case '/.well-known/jwks.json':
      res.setHeader('cache-control', 'max-age=300');
      return json(res, 200, deps.jwks());
    default:
      return json(res, 404, { error: { code: 'not_found', message: `no route ${path}` } });
  }
}

/**
 * Anyone who reaches the listener may ask: the answer names each dependency with a code only
 * (`ok`, `unavailable`, or the code of a JumpgateError the check threw), because the error of a
 * failed check can carry hosts, paths and passwords. The error itself goes to the log.
 */
async function readyz(deps: HttpServerDeps, res: ServerResponse): Promise<void> {
  const [checks, advisories] = await Promise.all([
    runChecks(deps, deps.readiness),
    runChecks(deps, deps.advisories ?? {}),
  ]);
  const ok = deps.isReady() && checks.every(([, result]) => result === 'ok');
  json(res, ok ? 200 : 503, {
    ok,
    checks: Object.fromEntries([...checks, ...advisories]),
    ...(deps.policyHash ? { policy: { hash: deps.policyHash() } } : {}),
  });
}

function runChecks(deps: HttpServerDeps, checks: Readonly<Record<string, ReadinessCheck>>) {
  return Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      try {
        await withTimeout(check(), READY_TIMEOUT_MS);
        return [name, 'ok'] as const;
      } catch (error) {
        deps.logger.warn({ err: error, check: name }, 'readiness check failed');
        // A JumpgateError's code is a word from a fixed list, safe to show; its message is not.
        return [name, isJumpgateError(error) ? error.code : 'unavailable'] as const;
      }
    }),
  );
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<void>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}
