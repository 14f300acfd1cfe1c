import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CertificateAuthority } from './certificate-authority.js';
import { BrokerHttpError } from './http-error.js';
import { sendBytes, sendError, sendJson } from './http-io.js';
import type { Krl, KrlSnapshot } from './krl.js';
import type { KrlClient, KrlFetchLog } from './krl-fetches.js';
import type { RevocationList } from './revocation-list.js';

/**
 * The public routes a bastion needs: `GET /v1/ca.pub` (TrustedUserCAKeys), `GET /v1/krl`
 * (RevokedKeys, with ETag / Last-Modified and 304 for a copy that is still current) and
 * `GET /v1/krl/status` (when a bastion last fetched the KRL, and the KRL's size and write time).
 * The broker serves them, and in embedded mode the bot's own listener serves the same ones.
 */
export const BASTION_PATHS: ReadonlySet<string> = new Set(['/v1/ca.pub', '/v1/krl', '/v1/krl/status']);

export interface BastionRouteDeps {
  readonly ca: CertificateAuthority;
  readonly krl: Krl;
  readonly revocations: RevocationList;
  readonly fetches: KrlFetchLog;
  /** Set at start: the CA key is loaded and ssh-keygen works. */
  readonly health: () => { ok: boolean; problem?: string };
}

/** Answers one of BASTION_PATHS; throws BrokerHttpError (405, 503) for the caller to send. */
export function serveBastionRoute(deps: BastionRouteDeps, req: IncomingMessage, res: ServerResponse, url: URL): void {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') {
    throw new BrokerHttpError(405, 'method_not_allowed', `${method} is not allowed on ${url.pathname} (use GET)`);
  }
  if (url.pathname === '/v1/krl/status') return sendJson(res, 200, krlStatus(deps));
  const snapshot = deps.krl.current();
  if (!deps.health().ok || snapshot === undefined) {
    throw new BrokerHttpError(503, 'unavailable', 'the broker cannot sign; its log has the details');
  }
  if (url.pathname === '/v1/ca.pub') return sendBytes(res, 'text/plain; charset=utf-8', `${deps.ca.publicKey}\n`);
  deps.fetches.recordFetch(client(req, url));
  const headers = {
    etag: snapshot.etag,
    'last-modified': new Date(snapshot.writtenAtMs).toUTCString(),
    'cache-control': 'no-cache',
  };
  if (notModified(req, snapshot)) {
    res.writeHead(304, headers);
    return void res.end();
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'application/octet-stream',
    'content-length': snapshot.bytes.length,
  });
  res.end(snapshot.bytes);
}

/** The body of `GET /v1/krl/status`; `krlBytes` and `krlWriteMs` are the last KRL write's size and time. */
export function krlStatus(deps: Pick<BastionRouteDeps, 'fetches' | 'revocations'>) {
  const stats = deps.revocations.stats();
  return {
    ...deps.fetches.status(),
    krlSerials: stats.serials,
    krlBytes: stats.bytes,
    krlWriteMs: Math.round(stats.writeMs * 10) / 10,
    krlWrites: stats.writes,
    krlRevocations: stats.revocations,
  };
}

export type KrlStatus = ReturnType<typeof krlStatus>;

/** The bastion routes alone, as a listener for the bot's own HTTP server (embedded mode). */
export function createBastionListener(deps: BastionRouteDeps, logger: Logger): RequestListener {
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://bastion.invalid');
    try {
      if (!BASTION_PATHS.has(url.pathname)) throw new BrokerHttpError(404, 'not_found', `no route ${url.pathname}`);
      serveBastionRoute(deps, req, res, url);
    } catch (error) {
      if (!(error instanceof BrokerHttpError)) logger.error({ err: error }, 'bastion route failed');
      const refusal = error instanceof BrokerHttpError ? error : new BrokerHttpError(500, 'internal', 'internal error');
      if (!res.headersSent) sendError(res, refusal.status, refusal.code, refusal.message);
    }
  };
}

/** If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2). */
function notModified(req: IncomingMessage, snapshot: KrlSnapshot): boolean {
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch !== undefined) {
    return ifNoneMatch.split(',').some((tag) => {
      const trimmed = tag.trim();
      return trimmed === '*' || trimmed.replace(/^W\//, '') === snapshot.etag;
    });
  }
  const since = Date.parse(req.headers['if-modified-since'] ?? '');
  if (Number.isNaN(since) || snapshot.sharesItsSecond) return false;
  return since >= Math.floor(snapshot.writtenAtMs / 1000) * 1000;
}

const BASTION_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function client(req: IncomingMessage, url: URL): KrlClient {
  const bastion = url.searchParams.get('bastion');
  return {
    ...(bastion !== null && BASTION_NAME.test(bastion) ? { bastion } : {}),
    ...(req.socket.remoteAddress ? { address: req.socket.remoteAddress } : {}),
  };
}
